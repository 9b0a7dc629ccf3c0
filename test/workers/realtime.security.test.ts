import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CLOSE_CODES } from "../../shared/schemas/realtime";
import { ADMIN_KEY, api, createKey, fullHistory, send } from "../support/api";
import { env } from "../support/env";
import { connect, ofType } from "../support/ws";

const worker = (exports as unknown as { default: Fetcher }).default;
const stubOf = (sessionId: string) => env.CHAT_SESSION.get(env.CHAT_SESSION.idFromName(sessionId));

describe("a socket hears only its key's sessions", () => {
  it("claims an unowned session on auth, so another key can neither write to it nor be heard there", async () => {
    const first = await createKey("first");
    const second = await createKey("second");
    const socket = await connect();
    socket.send({ type: "auth", token: first.key, session_id: "sec-unowned" });
    await socket.next(ofType("authenticated"));

    const intruder = await send({ message: "my secret plan", session_id: "sec-unowned" }, second.key);
    expect(intruder.status).toBe(403);
    expect(intruder.json.error.code).toBe("FORBIDDEN");
    // The owner's own turn still works, and the socket saw nothing of the other key.
    expect((await send({ message: "hello", session_id: "sec-unowned" }, first.key)).status).toBe(200);
    await socket.next(ofType("response"));
    expect(socket.frames.filter((f) => f.type === "user_message").map((f) => f.content)).toEqual(["hello"]);
    expect(JSON.stringify(socket.frames)).not.toContain("my secret plan");
    socket.ws.close(1000);
  });

  it("refuses a second key's socket on a session the first key's socket claimed", async () => {
    const first = await createKey("first");
    const second = await createKey("second");
    const owner = await connect("?session_id=sec-claimed");
    owner.send({ type: "auth", token: first.key, session_id: "sec-claimed" });
    await owner.next(ofType("authenticated"));
    const other = await connect("?session_id=sec-claimed");
    other.send({ type: "auth", token: second.key, session_id: "sec-claimed" });
    expect((await other.next(ofType("error"))).code).toBe("FORBIDDEN");
    expect((await other.closed).code).toBe(CLOSE_CODES.FORBIDDEN);
    owner.ws.close(1000);
  });
});

describe("revoked keys", () => {
  it("closes every socket of a revoked key with 4001, hibernated ones too, and refuses the key after", async () => {
    const app = await createKey("soon revoked");
    const bystander = await createKey("bystander");
    const lobby = await connect();
    lobby.send({ type: "auth", token: app.key, session_id: "sec-revoke-a" });
    await lobby.next(ofType("authenticated"));
    const direct = await connect("?session_id=sec-revoke-b");
    direct.send({ type: "auth", token: app.key, session_id: "sec-revoke-b" });
    await direct.next(ofType("authenticated"));
    const other = await connect("?session_id=sec-revoke-c");
    other.send({ type: "auth", token: bystander.key, session_id: "sec-revoke-c" });
    await other.next(ofType("authenticated"));
    await evictDurableObject(stubOf("sec-revoke-b"), { webSockets: "hibernate" });

    expect((await api("DELETE", `/api/v1/keys/${app.id}`)).status).toBe(200);
    expect((await lobby.closed).code).toBe(CLOSE_CODES.UNAUTHORIZED);
    expect((await direct.closed).code).toBe(CLOSE_CODES.UNAUTHORIZED);
    expect(other.isOpen()).toBe(true);

    const again = await connect("?session_id=sec-revoke-b");
    again.send({ type: "auth", token: app.key, session_id: "sec-revoke-b" });
    expect((await again.closed).code).toBe(CLOSE_CODES.UNAUTHORIZED);
    other.ws.close(1000);
  });
});

describe("storage before authentication", () => {
  it("writes nothing to a session's Durable Object for a socket that never authenticates", async () => {
    const socket = await connect("?session_id=sec-nothing-stored");
    socket.send({ type: "message", content: "no key" });
    expect((await socket.next(ofType("error"))).code).toBe("UNAUTHORIZED");
    socket.send({ type: "auth", token: "chk_not_a_key", session_id: "sec-nothing-stored" });
    expect((await socket.closed).code).toBe(CLOSE_CODES.UNAUTHORIZED);

    await runInDurableObject(stubOf("sec-nothing-stored"), async (_, state) => {
      const tables = state.storage.sql.exec<{ name: string }>(`SELECT name FROM sqlite_master WHERE name NOT LIKE '\\_cf%' ESCAPE '\\'`).toArray();
      expect(tables).toEqual([]);
      expect(await state.storage.getAlarm()).toBeNull();
    });
  });
});

describe("clearing history", () => {
  it("stops resume from serving a reply of the cleared history", async () => {
    const socket = await connect();
    socket.send({ type: "auth", token: ADMIN_KEY, session_id: "sec-cleared" });
    socket.send({ type: "message", content: "forget me" });
    const reply = await socket.next(ofType("response"));
    expect((await api("DELETE", "/api/v1/chat/history/sec-cleared")).status).toBe(200);

    socket.send({ type: "resume", message_id: reply.message_id, last_seq: -1 });
    expect((await socket.next(ofType("error"))).code).toBe("NOT_FOUND");
    const later = await connect();
    later.send({ type: "auth", token: ADMIN_KEY, session_id: "sec-cleared", resume: [{ message_id: reply.message_id, last_seq: 0 }] });
    await later.next(ofType("authenticated"));
    expect(JSON.stringify(later.frames)).not.toContain("forget me");
    expect(later.frames.some((f) => f.type === "response" || f.type === "response_chunk")).toBe(false);
    expect(await fullHistory("sec-cleared")).toEqual([]);
    socket.ws.close(1000);
    later.ws.close(1000);
  });
});

describe("guessing keys over the WebSocket", () => {
  it("limits failed auth frames by the client's address, before trying the key", async () => {
    const ip = `198.51.100.${Math.floor(Math.random() * 250) + 1}`;
    const tryKey = async (token: string) => {
      const res = await worker.fetch("http://localhost/api/v1/ws/chat?session_id=sec-guessing", { headers: { Upgrade: "websocket", "CF-Connecting-IP": ip } });
      const ws = res.webSocket!;
      ws.accept();
      const frame = new Promise<any>((resolve) => ws.addEventListener("message", (event) => resolve(JSON.parse(event.data as string))));
      ws.send(JSON.stringify({ type: "auth", token, session_id: "sec-guessing" }));
      const first = await frame;
      ws.close(1000);
      return first;
    };
    let failures = 0;
    for (let answer = await tryKey("chk_guess_0"); answer.code === "UNAUTHORIZED"; answer = await tryKey(`chk_guess_${failures}`)) {
      failures++;
      expect(failures).toBeLessThan(40);
    }
    // At least the budget of 20 got through (a minute boundary may add a few), then even the right key is refused.
    expect(failures).toBeGreaterThanOrEqual(20);
    const refused = await tryKey(ADMIN_KEY);
    expect(refused).toMatchObject({ type: "error", code: "RATE_LIMIT_EXCEEDED" });
    expect(refused.retry_after_seconds).toBeGreaterThanOrEqual(1);
  });
});

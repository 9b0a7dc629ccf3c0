import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { CLOSE_CODES, MAX_FRAME_BYTES } from "../../shared/schemas/realtime";
import { stateOf, setState } from "../../workers/durable-objects/chat-session/sockets";
import { ADMIN_KEY, api, createKey, fullHistory } from "../support/api";
import { env } from "../support/env";
import { connect, ofType } from "../support/ws";

const errorCode = (code: string) => (f: any) => f.type === "error" && f.code === code;

describe.each([
  ["through the lobby", ""],
  ["directly", "?session_id=errors-direct"],
])("error frames %s", (_, query) => {
  it("answers bad frames with an error and keeps the socket open", async () => {
    const socket = await connect(query);
    socket.send("{not json");
    expect((await socket.next(ofType("error"))).code).toBe("INVALID_REQUEST");
    socket.send({ type: "teleport" });
    expect((await socket.next(ofType("error"))).message).toContain("Unknown frame type");
    socket.send({ type: "message", content: "too early" });
    expect((await socket.next(ofType("error"))).code).toBe("UNAUTHORIZED");
    socket.send(JSON.stringify({ type: "auth", token: ADMIN_KEY, pad: "x".repeat(MAX_FRAME_BYTES) }));
    expect((await socket.next(ofType("error"))).message).toContain("refused");
    expect(socket.isOpen()).toBe(true);

    // Still usable: authenticate and chat.
    socket.send({ type: "auth", token: ADMIN_KEY, session_id: "errors-direct" });
    await socket.next(ofType("authenticated"));
    socket.send({ type: "message", content: "" });
    expect((await socket.next(ofType("error"))).code).toBe("INVALID_REQUEST");
    socket.send({ type: "message", content: "hi", character_id: "nobody" });
    expect((await socket.next(ofType("error"))).code).toBe("NOT_FOUND");
    socket.send({ type: "cancel" });
    expect((await socket.next(ofType("error"))).code).toBe("NOT_FOUND");
    // Text only: a voiced reply would still be speaking, and the next run's `cancel` would stop it.
    socket.send({ type: "message", content: "after all that", media: false });
    expect((await socket.next(ofType("response"))).content).toContain('"after all that"');
    socket.ws.close(1000);
  });

  it("closes the socket with 4001 on a bad token", async () => {
    const socket = await connect(query);
    socket.send({ type: "auth", token: "chk_wrong", session_id: "errors-direct" });
    expect((await socket.next(ofType("error"))).code).toBe("UNAUTHORIZED");
    expect((await socket.closed).code).toBe(CLOSE_CODES.UNAUTHORIZED);
  });
});

describe("sessions of other keys", () => {
  it("refuses another key's session with FORBIDDEN and closes with 4003", async () => {
    const owner = await createKey("owner");
    const intruder = await createKey("intruder");
    await api("POST", "/api/v1/chat/message", { key: owner.key, body: { message: "mine", session_id: "ws-private" } });
    const socket = await connect();
    socket.send({ type: "auth", token: intruder.key, session_id: "ws-private" });
    socket.send({ type: "message", content: "let me in" });
    expect((await socket.next(ofType("error"))).code).toBe("FORBIDDEN");
    expect((await socket.closed).code).toBe(CLOSE_CODES.FORBIDDEN);
    expect((await fullHistory("ws-private", owner.key)).map((m) => m.content)).toEqual(["mine", expect.any(String)]);
  });

  it("reports a failing LLM as an error frame and keeps the session consistent", async () => {
    const socket = await connect();
    socket.send({ type: "auth", token: ADMIN_KEY, session_id: "ws-llm-down" });
    socket.send({ type: "message", content: "break [[fail]]" });
    const error = await socket.next(errorCode("SERVICE_UNAVAILABLE"));
    expect(error.user_message_id).toMatch(/^msg_/);
    expect(socket.frames.filter(ofType("typing")).map((f) => f.is_typing)).toEqual([true, false]);
    expect((await fullHistory("ws-llm-down")).map((m) => m.role)).toEqual(["user"]);
    expect(socket.isOpen()).toBe(true);
  });
});

it("closes a socket that does not authenticate within 10 s with 4008", async () => {
  const socket = await connect("?session_id=silent");
  const other = await connect("?session_id=silent");
  other.send({ type: "auth", token: ADMIN_KEY, session_id: "silent" });
  await other.next(ofType("authenticated"));
  const stub = env.CHAT_SESSION.get(env.CHAT_SESSION.idFromName("silent"));
  // Age the sockets by 11 s instead of waiting; the deadlines are checked again whenever a socket connects.
  await runInDurableObject(stub, (_, state) => {
    for (const ws of state.getWebSockets()) setState(ws, { ...stateOf(ws), connectedAt: Date.now() - 11_000 });
  });
  const late = await connect("?session_id=silent");
  expect((await socket.closed).code).toBe(CLOSE_CODES.AUTH_TIMEOUT);
  expect(other.isOpen()).toBe(true);
  expect(late.isOpen()).toBe(true);
});

it("refuses a plain HTTP request to the WebSocket endpoint", async () => {
  const res = await api("GET", "/api/v1/ws/chat");
  expect(res.status).toBe(400);
  expect(res.json.error.code).toBe("INVALID_REQUEST");
});

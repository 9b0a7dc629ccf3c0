import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { ADMIN_KEY, api, createKey, fullHistory } from "../support/api";
import { env } from "../support/env";
import { whilePumping } from "../support/media";
import { connect, ofType } from "../support/ws";

const replyFrames = async (socket: Awaited<ReturnType<typeof connect>>) => {
  const response = await socket.next(ofType("response"));
  const chunks = socket.frames.filter((f) => f.type === "response_chunk" && f.message_id === response.message_id);
  return { response, chunks };
};

describe("the reference's WebSocket flow", () => {
  it("works when auth and message are sent back to back, without waiting", async () => {
    const socket = await connect();
    socket.send({ type: "auth", token: ADMIN_KEY, session_id: "ws-session-1" });
    socket.send({ type: "message", character_id: "assistant", content: "Hello there!", metadata: { user_name: "Alice" } });

    expect(await socket.next(ofType("authenticated"))).toEqual({ type: "authenticated", session_id: "ws-session-1" });
    const { response, chunks } = await replyFrames(socket);
    expect(response).toMatchObject({ type: "response", character_id: "assistant", session_id: "ws-session-1", cancelled: false });
    // assistant speaks and appears on video: the reply names its media URLs at once, pending.
    expect(response.media).toMatchObject({
      status: "pending",
      audio_url: expect.stringMatching(/^\/assets\/audio\//),
      video_url: expect.stringMatching(/^\/assets\/video\//),
    });
    expect(response.content).toContain('Hello Alice! You said: "Hello there!"');
    expect(response.timestamp).toMatch(/Z$/);
    expect(response.message_id).toMatch(/^msg_/);

    // The frames of a turn, in order: the user's message, typing, the streamed text, typing off, the reply.
    const kinds = socket.frames.map((f) => f.type).filter((t) => t !== "authenticated");
    expect(kinds[0]).toBe("user_message");
    expect(kinds[1]).toBe("typing");
    expect(kinds.at(-2)).toBe("typing");
    expect(kinds.at(-1)).toBe("response");
    expect(socket.frames.filter(ofType("typing")).map((f) => f.is_typing)).toEqual([true, false]);
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    expect(chunks.map((c) => c.delta).join("")).toBe(response.content);

    const stored = await fullHistory("ws-session-1");
    expect(stored.map((m) => m.content)).toEqual(["Hello there!", response.content]);
    expect(stored[1].id).toBe(response.message_id);
    socket.ws.close(1000);
  });

  it("turns reply media off for one message with media: false, and carries media otherwise", async () => {
    const socket = await connect("?session_id=ws-media");
    socket.send({ type: "auth", token: ADMIN_KEY, session_id: "ws-media" });
    socket.send({ type: "message", content: "no media please", media: false });
    expect((await socket.next(ofType("response"))).media).toBeNull();
    socket.send({ type: "message", content: "voice only", media: { video: false } });
    const voiceOnly = await socket.next(ofType("response"));
    expect(voiceOnly.media).toMatchObject({ status: "pending", audio_url: expect.any(String) });
    expect(voiceOnly.media.video_url).toBeUndefined();
  });

  it("starts a new session when auth names none", async () => {
    const socket = await connect();
    socket.send({ type: "auth", token: ADMIN_KEY });
    socket.send({ type: "message", content: "new here" });
    const { session_id } = await socket.next(ofType("authenticated"));
    expect(session_id).toMatch(/^sess_/);
    const { response } = await replyFrames(socket);
    expect((await fullHistory(session_id)).at(-1).id).toBe(response.message_id);
  });

  it("connects straight to the session with ?session_id=", async () => {
    const socket = await connect("?session_id=direct-1");
    socket.send({ type: "auth", token: ADMIN_KEY, session_id: "direct-1" });
    socket.send({ type: "message", content: "direct" });
    const { response } = await replyFrames(socket);
    expect(response.content).toContain('"direct"');
  });

  it("shows every turn to every socket of the session, from WebSocket and HTTP alike", async () => {
    const { key } = await createKey();
    const tabA = await connect();
    const tabB = await connect("?session_id=two-tabs");
    for (const tab of [tabA, tabB]) tab.send({ type: "auth", token: key, session_id: "two-tabs" });
    await tabA.next(ofType("authenticated"));
    await tabB.next(ofType("authenticated"));

    tabA.send({ type: "message", content: "from tab A" });
    const seenByB = await tabB.next((f) => f.type === "user_message" && f.content === "from tab A");
    const replyA = await tabA.next(ofType("response"));
    const replyB = await tabB.next(ofType("response"));
    expect(replyB).toEqual(replyA);
    expect(seenByB.message_id).toBe(replyA.user_message_id);

    const http = await api("POST", "/api/v1/chat/message", { key, body: { message: "from HTTP", session_id: "two-tabs" } });
    for (const tab of [tabA, tabB]) {
      await tab.next((f) => f.type === "user_message" && f.content === "from HTTP");
      expect((await tab.next(ofType("response"))).message_id).toBe(http.json.message_id);
    }
    const stored = await fullHistory("two-tabs", key);
    expect(stored.map((m) => m.content)).toEqual(["from tab A", replyA.content, "from HTTP", http.json.response]);
  });
});

describe("Server-Sent Events", () => {
  const readEvents = async (res: Response) => {
    const text = await res.text();
    return text
      .trim()
      .split("\n\n")
      .map((block) => ({ event: block.match(/^event: (.+)$/m)![1], data: JSON.parse(block.match(/^data: (.+)$/m)![1]!) }));
  };

  it.each([
    ["stream: true", { stream: true }, {}],
    ["Accept: text/event-stream", {}, { Accept: "text/event-stream" }],
  ])("streams the reply with %s and ends with the non-streaming body", async (_, extra, headers) => {
    const session_id = `sse-${Object.keys(extra).length}`;
    const { exports } = await import("cloudflare:workers");
    const res = await (exports as unknown as { default: Fetcher }).default.fetch("http://localhost/api/v1/chat/message", {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, "Content-Type": "application/json", ...headers },
      body: JSON.stringify({ message: "stream me", session_id, ...extra }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/event-stream");
    // assistant is voiced: the stream stays open for its audio until the whole reply's audio is made.
    const events = await whilePumping(readEvents(res as unknown as Response));
    expect(events[0]!.event).toBe("user_message");
    const chunks = events.filter((e) => e.event === "response_chunk");
    const at = events.findIndex((e) => e.event === "response");
    const final = events[at]!;
    expect(new Set(events.slice(at + 1).map((e) => e.event))).toEqual(new Set(["audio_chunk", "media"]));
    expect(events.at(-1)!.data.media).toMatchObject({ audio_status: "ready" });
    expect(final.data).toMatchObject({ session_id, character_id: "assistant", media: { status: "pending" } });
    expect(final.data.response).toContain('"stream me"');
    expect(chunks.map((c) => c.data.delta).join("")).toBe(final.data.response);
    expect(events.findIndex((e) => e.event === "response_chunk")).toBeLessThan(at);
    expect((await fullHistory(session_id)).map((m) => m.id)).toEqual([final.data.user_message_id, final.data.message_id]);
  });

  it("ends the stream with an error event when the LLM fails, keeping the user's message once", async () => {
    const res = await api("POST", "/api/v1/chat/message", { body: { message: "boom [[fail]]", session_id: "sse-fail", stream: true } });
    expect(res.status).toBe(200);
    expect(res.text).toContain("event: error");
    expect(res.text).toContain("SERVICE_UNAVAILABLE");
    expect((await fullHistory("sse-fail")).map((m) => m.role)).toEqual(["user"]);
  });

  it("answers HTTP errors before streaming starts", async () => {
    const res = await api("POST", "/api/v1/chat/message", { body: { message: "hi", character_id: "nobody", stream: true } });
    expect(res.status).toBe(404);
  });
});

describe("reconnect, resume and cancel", () => {
  it("resumes a reply after a dropped connection, without doubling the turn", async () => {
    const first = await connect();
    first.send({ type: "auth", token: ADMIN_KEY, session_id: "flaky" });
    first.send({ type: "message", content: "tell me slowly [[slow:40]]", client_message_id: "c-1" });
    const firstChunks = [await first.next(ofType("response_chunk")), await first.next(ofType("response_chunk"))];
    first.ws.close(1000, "train went into a tunnel");

    const second = await connect();
    second.send({ type: "auth", token: ADMIN_KEY, session_id: "flaky" });
    second.send({ type: "resume", message_id: firstChunks[1].message_id, last_seq: firstChunks[1].seq });
    // The client does not know whether its message arrived, so it sends it again: no second turn.
    second.send({ type: "message", content: "tell me slowly [[slow:40]]", client_message_id: "c-1" });
    const response = await second.next(ofType("response"), 8000);
    const rest = second.frames.filter((f) => f.type === "response_chunk" && f.seq > firstChunks[1].seq);
    const seqs = [...new Set(rest.map((c) => c.seq))];
    expect(seqs[0]).toBe(firstChunks[1].seq + 1);
    const text = [...firstChunks, ...rest.filter((c, i) => rest.findIndex((d) => d.seq === c.seq) === i)].map((c) => c.delta).join("");
    expect(text).toBe(response.content);

    const stored = await fullHistory("flaky");
    expect(stored.map((m) => m.role)).toEqual(["user", "assistant"]);
    // Once finished, a resume or a re-sent message answers with the stored reply.
    const third = await connect();
    third.send({ type: "auth", token: ADMIN_KEY, session_id: "flaky" });
    third.send({ type: "resume", message_id: response.message_id, last_seq: 3 });
    third.send({ type: "message", content: "tell me slowly [[slow:40]]", client_message_id: "c-1" });
    expect((await third.next(ofType("response"))).content).toBe(response.content);
    expect((await third.next(ofType("response"))).message_id).toBe(response.message_id);
    expect((await fullHistory("flaky")).length).toBe(2);
  });

  it("cancels a reply mid-way: generation stops upstream, the partial reply is kept and marked", async () => {
    const socket = await connect();
    socket.send({ type: "auth", token: ADMIN_KEY, session_id: "cancel-me" });
    socket.send({ type: "message", content: "a long story please [[slow:60]]" });
    await socket.next(ofType("response_chunk"));
    socket.send({ type: "cancel" });
    const response = await socket.next(ofType("response"));
    expect(response.cancelled, JSON.stringify(socket.frames)).toBe(true);
    expect(response.metadata.finish_reason).toBe("cancelled");
    const full = 'Hello! You said: "a long story please [[slow:60]]". I can see 0 earlier messages.';
    expect(full.startsWith(response.content), response.content).toBe(true);
    expect(response.content.length).toBeLessThan(full.length);

    const stored = await fullHistory("cancel-me");
    expect(stored[1]).toMatchObject({ id: response.message_id, content: response.content, metadata: { finish_reason: "cancelled" } });
    // The upstream sees the connection close a moment later, in its own process.
    await vi.waitFor(
      async () => {
        const streams = (await (await fetch(env.LLM_BASE_URL!.replace(/\/v1$/, "/__emulator/streams"))).json()) as any[];
        const upstream = streams.find((s) => s.lastUserMessage === "a long story please [[slow:60]]");
        expect(upstream.closedEarly, JSON.stringify(upstream)).toBe(true);
        expect(upstream.tokensSent).toBeLessThan(upstream.tokensTotal);
      },
      { timeout: 3000, interval: 50 },
    );
  });

  it("keeps an authenticated socket through Durable Object hibernation", async () => {
    const socket = await connect("?session_id=sleepy");
    socket.send({ type: "auth", token: ADMIN_KEY, session_id: "sleepy" });
    await socket.next(ofType("authenticated"));
    const stub = env.CHAT_SESSION.get(env.CHAT_SESSION.idFromName("sleepy"));
    await evictDurableObject(stub, { webSockets: "hibernate" });
    socket.send({ type: "message", content: "still there?" });
    const response = await socket.next(ofType("response"));
    expect(response.content).toContain('"still there?"');
    expect(socket.isOpen()).toBe(true);
  });
});

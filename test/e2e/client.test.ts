import { describe, expect, inject, it } from "vitest";
import { ChatacterClient, ChatacterError, type ResponseChunkFrame } from "../../shared/client/index.js";

const baseUrl = inject("stackUrl");
const admin = new ChatacterClient(baseUrl, inject("stackAdminKey"));

describe("the typed client against npm start", () => {
  it("covers chat, history and characters with the reference's method names", async () => {
    const { key } = await admin.createKey("sdk test");
    const client = new ChatacterClient(baseUrl, key);
    const characters = await client.getCharacters();
    expect(characters.characters.map((c) => c.id)).toContain("creative");
    expect((await client.getCharacter("assistant")).configuration.max_tokens).toBeGreaterThan(0);

    const first = await client.sendMessage("Hello!", "assistant", null, { user_name: "Sam" });
    expect(first.response).toContain("Hello Sam!");
    const history = await client.getHistory(first.session_id, { limit: 1, order: "desc" });
    expect(history.messages[0]!.id).toBe(first.message_id);
    expect(history.total_count).toBe(2);
    expect((await client.clearHistory(first.session_id)).session_id).toBe(first.session_id);
  });

  it("streams a reply as an async iterator ending with the full response", async () => {
    const events = [];
    for await (const event of admin.streamMessage("stream please", { sessionId: "sdk-stream" })) events.push(event);
    const at = events.findIndex((e) => e.type === "response");
    const final = events[at]!;
    // assistant is voiced: its speech follows the text, and the stream ends with the whole reply's audio.
    expect(new Set(events.slice(at + 1).map((e) => e.type))).toEqual(new Set(["audio_chunk", "media"]));
    expect(events.at(-1)).toMatchObject({ type: "media", media: { audio_status: "ready" } });
    const text = events
      .filter((e): e is ResponseChunkFrame => e.type === "response_chunk")
      .map((e) => e.delta)
      .join("");
    expect(final.type === "response" && final.response).toBe(text);
  });

  it("throws typed errors carrying the API's code", async () => {
    const error = await admin.getCharacter("nobody").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChatacterError);
    expect(error).toMatchObject({ code: "NOT_FOUND", status: 404, requestId: expect.stringMatching(/^req_/) });
    const stranger = new ChatacterClient(baseUrl, "chk_wrong");
    await expect(stranger.getCharacters()).rejects.toMatchObject({ code: "UNAUTHORIZED", status: 401 });
    const streamError = await (async () => {
      for await (const _ of admin.streamMessage("fail please [[fail]]", { sessionId: "sdk-stream-fail" })) void _;
    })().catch((e: unknown) => e);
    expect(streamError).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
  });

  it("keeps a WebSocket session through a dropped connection without losing or repeating a turn", async () => {
    const socket = admin.connect({ sessionId: "sdk-ws" });
    expect(await socket.ready).toBe("sdk-ws");
    const chunks: ResponseChunkFrame[] = [];
    socket.on("response_chunk", (chunk) => chunks.push(chunk));

    const first = await socket.send("quick one");
    expect(first.content).toContain('"quick one"');

    // Drop the connection while the reply streams; the client reconnects and resumes.
    const slow = socket.send("a slow one [[slow:40]]");
    await new Promise<void>((resolve) => {
      const off = socket.on("response_chunk", (c) => {
        if (c.seq !== 2) return;
        off();
        resolve();
      });
    });
    socket.reconnect();
    const reply = await slow;
    const replyChunks = chunks.filter((c) => c.message_id === reply.message_id);
    expect(replyChunks.map((c) => c.seq)).toEqual(replyChunks.map((_, i) => i));
    expect(replyChunks.map((c) => c.delta).join("")).toBe(reply.content);

    // And a message sent while disconnected goes out once the session is back.
    socket.reconnect();
    const third = await socket.send("after the second drop");
    expect(third.content).toContain('"after the second drop"');
    socket.close();

    const history = await admin.getHistory("sdk-ws");
    expect(history.messages.map((m) => m.content)).toEqual([
      "quick one",
      first.content,
      "a slow one [[slow:40]]",
      reply.content,
      "after the second drop",
      third.content,
    ]);
  });

  it("delivers each chunk once and in order when the connection drops at every chunk of a reply", async () => {
    const socket = admin.connect({ sessionId: "sdk-ws-every-chunk" });
    await socket.ready;
    const chunks: ResponseChunkFrame[] = [];
    socket.on("response_chunk", (chunk) => {
      chunks.push(chunk);
      socket.reconnect();
    });
    const reply = await socket.send("drop me at every chunk [[slow:30]]");
    expect(chunks.map((c) => c.seq)).toEqual(chunks.map((_, i) => i));
    expect(chunks.map((c) => c.delta).join("")).toBe(reply.content);
    expect(chunks.length).toBeGreaterThan(10);
    socket.close();
    expect((await admin.getHistory("sdk-ws-every-chunk")).messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  });
});

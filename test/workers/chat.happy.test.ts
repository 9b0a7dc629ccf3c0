import { describe, expect, it } from "vitest";
import { api, createKey, fullHistory, history, send } from "../support/api";

describe("POST /api/v1/chat/message", () => {
  it("answers with the reference's fields, real usage and a log-probability confidence", async () => {
    const res = await send({
      message: "Hello, how are you today?",
      character_id: "assistant",
      session_id: "user-session-123",
      context: { user_name: "Alice", conversation_history: true },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ character_id: "assistant", session_id: "user-session-123", media: { status: "pending" } });
    // The emulator greets the user by the name the prompt builder put in the system prompt.
    expect(res.json.response).toContain("Hello Alice!");
    expect(res.json.response).toContain('"Hello, how are you today?"');
    expect(res.json.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(res.json.message_id).toMatch(/^msg_/);
    const { metadata } = res.json;
    expect(metadata.tokens_used).toBe(metadata.prompt_tokens + metadata.completion_tokens);
    expect(metadata.completion_tokens).toBeGreaterThan(3);
    expect(metadata.confidence).toBeGreaterThan(0);
    expect(metadata.confidence).toBeLessThan(1);
    expect(metadata.provider).toBe("openai-compatible");
  });

  it("measures response_time_ms over the whole generation", async () => {
    // About a dozen tokens, 25 ms apart: the reply takes at least 11 gaps of the emulator's delay.
    const slow = await send({ message: "take your time [[slow:25]]", session_id: "timed" });
    expect(slow.json.metadata.completion_tokens).toBeGreaterThan(10);
    expect(slow.json.metadata.response_time_ms).toBeGreaterThanOrEqual(25 * 10);
  });

  it("starts a new session when session_id is missing or null (as the Python SDK sends it)", async () => {
    const first = await send({ message: "hi", character_id: "assistant" });
    const second = await send({ message: "hi", character_id: "assistant", session_id: null });
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(first.json.session_id).toMatch(/^sess_/);
    expect(second.json.session_id).not.toBe(first.json.session_id);
    expect((await history(first.json.session_id)).json.total_count).toBe(2);
  });

  it("sends the earlier turns to the LLM, unless conversation_history is false", async () => {
    const session_id = "remembering";
    await send({ message: "one", session_id });
    const second = await send({ message: "two", session_id });
    expect(second.json.response).toContain("I can see 2 earlier messages");
    const third = await send({ message: "three", session_id, context: { conversation_history: false } });
    expect(third.json.response).toContain("I can see 0 earlier messages");
  });

  it("works with a chat-scoped key, which then owns the session", async () => {
    const { key } = await createKey("mobile app");
    const res = await send({ message: "hello", session_id: "owned-by-app" }, key);
    expect(res.status).toBe(200);
    expect((await history("owned-by-app", "", key)).json.total_count).toBe(2);
  });
});

describe("history", () => {
  // Durable Object storage persists between the tests of a file, so each test has its own session.
  const fill = async (session_id: string) => {
    for (let i = 0; i < 5; i++) await send({ message: `m${i}`, session_id });
  };

  it("pages chronologically with limit, offset, total_count and has_more", async () => {
    const session_id = "paged";
    await fill(session_id);
    const all = await fullHistory(session_id);
    expect(all).toHaveLength(10);
    expect(all.map((m) => m.role)).toEqual(Array(5).fill(["user", "assistant"]).flat());
    expect(all.filter((m) => m.role === "user").map((m) => m.content)).toEqual(["m0", "m1", "m2", "m3", "m4"]);
    // Each message links to the one before it: the active branch.
    expect(all[0].parent_id).toBeNull();
    for (let i = 1; i < all.length; i++) expect(all[i].parent_id).toBe(all[i - 1].id);
    expect(all[1].metadata.model).toBe("emulator");
    expect(all[0].character_id).toBe("assistant");

    const page = await history(session_id, "limit=4&offset=4");
    expect(page.json).toMatchObject({ session_id, total_count: 10, has_more: true });
    expect(page.json.messages.map((m: any) => m.id)).toEqual(all.slice(4, 8).map((m) => m.id));
    const last = await history(session_id, "limit=4&offset=8");
    expect(last.json.has_more).toBe(false);
    expect(last.json.messages).toHaveLength(2);
    const beyond = await history(session_id, "offset=50");
    expect(beyond.json).toMatchObject({ messages: [], total_count: 10, has_more: false });
  });

  it("defaults to 50 messages and accepts order=desc and after/before cursors", async () => {
    const session_id = "cursored";
    await fill(session_id);
    const all = await fullHistory(session_id);
    expect((await history(session_id)).json.messages).toHaveLength(10);

    const newest = await history(session_id, "order=desc&limit=3");
    expect(newest.json.messages.map((m: any) => m.id)).toEqual(
      all
        .slice(7)
        .reverse()
        .map((m) => m.id),
    );
    expect(newest.json.has_more).toBe(true);

    const after = await history(session_id, `after=${all[6].id}`);
    expect(after.json.messages.map((m: any) => m.id)).toEqual(all.slice(7).map((m) => m.id));
    const before = await history(session_id, `before=${all[3].id}&order=desc&limit=2`);
    expect(before.json.messages.map((m: any) => m.id)).toEqual([all[2].id, all[1].id]);
    expect(before.json.has_more).toBe(true);
    const between = await history(session_id, `after=${all[2].id}&before=${all[5].id}`);
    expect(between.json.messages.map((m: any) => m.id)).toEqual([all[3].id, all[4].id]);
  });

  it("clears a session: the answer of the reference, then an empty history", async () => {
    await send({ message: "to forget", session_id: "clearable" });
    const res = await api("DELETE", "/api/v1/chat/history/clearable");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ message: "Conversation history cleared successfully", session_id: "clearable" });
    expect(res.json.cleared_at).toMatch(/Z$/);
    expect((await history("clearable")).json).toMatchObject({ messages: [], total_count: 0, has_more: false });
    // The session can carry on afresh, and the LLM no longer sees the old turns.
    const again = await send({ message: "new start", session_id: "clearable" });
    expect(again.json.response).toContain("I can see 0 earlier messages");
  });
});

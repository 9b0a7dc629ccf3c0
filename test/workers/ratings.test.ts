import { describe, expect, it } from "vitest";
import { api, createKey, send } from "../support/api";

const rate = (messageId: string, body: unknown, key?: string) => api("POST", `/api/v1/chat/messages/${messageId}/rating`, { body, key });

async function reply(key?: string, characterId = "assistant") {
  const sessionId = `rated-${crypto.randomUUID()}`;
  const res = await send({ message: "hello", character_id: characterId, session_id: sessionId }, key);
  expect(res.status).toBe(200);
  return { sessionId, messageId: res.json.message_id as string, userMessageId: res.json.user_message_id as string };
}

const character = async (id: string) => (await api("GET", `/api/v1/characters/${id}`)).json;

describe("rating a reply", () => {
  it("stores the rating and feeds the character's average_rating and the metrics", async () => {
    const { key } = await createKey("rater");
    expect((await character("assistant")).statistics.average_rating).toBeNull();

    const first = await reply(key);
    const second = await reply(key);
    const res = await rate(first.messageId, { session_id: first.sessionId, rating: 5 }, key);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ message_id: first.messageId, session_id: first.sessionId, character_id: "assistant", rating: 5 });
    expect((await rate(second.messageId, { session_id: second.sessionId, rating: 2 }, key)).status).toBe(200);

    expect((await character("assistant")).statistics.average_rating).toBe(3.5);
    const metrics = (await api("GET", "/api/v1/metrics")).json;
    expect(metrics.characters.assistant.average_rating).toBe(3.5);
  });

  it("replaces an earlier rating of the same reply", async () => {
    const { key } = await createKey("changes-mind");
    const { sessionId, messageId } = await reply(key, "creative");
    const first = await rate(messageId, { session_id: sessionId, rating: 1 }, key);
    const again = await rate(messageId, { session_id: sessionId, rating: 4 }, key);
    expect(again.status).toBe(200);
    expect(again.json.rating).toBe(4);
    expect(again.json.created_at).toBe(first.json.created_at);
    expect((await character("creative")).statistics.average_rating).toBe(4);
  });

  it("refuses the user's own message, another key's session, unknown messages and bad ratings", async () => {
    const owner = await createKey("owner");
    const other = await createKey("other");
    const { sessionId, messageId, userMessageId } = await reply(owner.key);

    const own = await rate(userMessageId, { session_id: sessionId, rating: 5 }, owner.key);
    expect(own.status).toBe(400);
    expect(own.json.error.code).toBe("INVALID_REQUEST");
    expect((await rate(messageId, { session_id: sessionId, rating: 5 }, other.key)).status).toBe(403);
    expect((await rate("msg_doesnotexist", { session_id: sessionId, rating: 5 }, owner.key)).status).toBe(404);
    for (const rating of [0, 6, 3.5, "5", null]) {
      expect((await rate(messageId, { session_id: sessionId, rating }, owner.key)).status).toBe(400);
    }
    expect((await rate("not-an-id", { session_id: sessionId, rating: 5 }, owner.key)).status).toBe(404);
    expect((await rate(messageId, { rating: 5 }, owner.key)).status).toBe(400);
  });
});

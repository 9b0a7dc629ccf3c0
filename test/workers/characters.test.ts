import { describe, expect, it } from "vitest";
import { examples } from "../../shared/examples";
import { api, createKey, send } from "../support/api";
import { statsWritten } from "../support/stats";

describe("characters", () => {
  it("lists the reference's two characters with their fields", async () => {
    const res = await api("GET", "/api/v1/characters");
    expect(res.status).toBe(200);
    // The reference's example of the list is its assistant, exactly.
    expect(res.json.characters).toEqual([
      expect.objectContaining(examples.characterList.characters[0]),
      expect.objectContaining({ id: "creative", name: "Creative Writer", voice_model: "expressive", capabilities: ["text", "voice"] }),
    ]);
  });

  it("shows details with configuration and real statistics", async () => {
    const before = await api("GET", "/api/v1/characters/assistant");
    expect(before.json).toMatchObject({
      id: "assistant",
      video_model: "stable-video",
      configuration: { temperature: 0.7, max_tokens: 4096, system_prompt: expect.stringContaining("helpful assistant") },
      statistics: { total_conversations: 0, average_rating: null, last_updated: "2024-01-15T09:00:00.000Z" },
    });
    // Two sessions, three messages: two conversations.
    await send({ message: "a", session_id: "stats-1" });
    await send({ message: "b", session_id: "stats-1" });
    await statsWritten("stats-2", (await send({ message: "c", session_id: "stats-2" })).json.timestamp);
    await statsWritten("stats-2", (await send({ message: "d", session_id: "stats-2", character_id: "creative" })).json.timestamp, "creative");
    expect((await api("GET", "/api/v1/characters/assistant")).json.statistics.total_conversations).toBe(2);
    expect((await api("GET", "/api/v1/characters/creative")).json.statistics.total_conversations).toBe(1);
  });

  it("answers NOT_FOUND for an unknown character", async () => {
    const res = await api("GET", "/api/v1/characters/nobody");
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("NOT_FOUND");
  });

  it("lets any valid key read characters", async () => {
    const { key } = await createKey();
    expect((await api("GET", "/api/v1/characters", { key })).status).toBe(200);
    expect((await api("GET", "/api/v1/characters/creative", { key })).status).toBe(200);
  });
});

describe("PUT /api/v1/characters/{id}", () => {
  it("updates the reference's fields, merges configuration and moves last_updated", async () => {
    const res = await api("PUT", "/api/v1/characters/assistant", {
      body: {
        name: "Updated Assistant",
        description: "An enhanced AI assistant",
        personality: "More casual and friendly",
        configuration: { temperature: 0.8, max_tokens: 2048 },
      },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      name: "Updated Assistant",
      description: "An enhanced AI assistant",
      personality: "More casual and friendly",
      configuration: { temperature: 0.8, max_tokens: 2048, system_prompt: expect.stringContaining("helpful assistant") },
    });
    expect(Date.parse(res.json.statistics.last_updated)).toBeGreaterThan(Date.parse("2024-01-15T09:00:00Z"));
    // The new personality reaches the prompt.
    const reply = await send({ message: "hi", session_id: "after-update" });
    expect(reply.status).toBe(200);
    expect((await api("GET", "/api/v1/characters/assistant")).json.name).toBe("Updated Assistant");
  });

  it("refuses a chat key with FORBIDDEN and changes nothing", async () => {
    const { key } = await createKey();
    const res = await api("PUT", "/api/v1/characters/creative", { key, body: { name: "Hijacked" } });
    expect(res.status).toBe(403);
    expect(res.json.error.code).toBe("FORBIDDEN");
    expect((await api("GET", "/api/v1/characters/creative")).json.name).toBe("Creative Writer");
  });

  it.each([
    ["an out-of-range temperature", { configuration: { temperature: 5 } }],
    ["a max_tokens that is not an integer", { configuration: { max_tokens: 1.5 } }],
    ["an unknown field", { colour: "blue" }],
    ["an empty body", {}],
    ["an unknown capability", { capabilities: ["telepathy"] }],
  ])("refuses %s with INVALID_REQUEST and changes nothing", async (_, body) => {
    const res = await api("PUT", "/api/v1/characters/creative", { body });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("INVALID_REQUEST");
    const after = (await api("GET", "/api/v1/characters/creative")).json;
    expect(after.configuration.temperature).toBe(0.9);
    expect(after.statistics.last_updated).toBe("2024-01-15T09:00:00.000Z");
  });

  it("answers NOT_FOUND for an unknown character", async () => {
    expect((await api("PUT", "/api/v1/characters/nobody", { body: { name: "x" } })).status).toBe(404);
  });
});

describe("creating and deleting characters (admin)", () => {
  const pirate = {
    id: "pirate",
    name: "Captain Byte",
    description: "A pirate who sails the data seas",
    personality: "Boisterous and loyal",
    capabilities: ["text"],
    configuration: { temperature: 1.1, system_prompt: "Speak like a pirate." },
  };

  it("creates a character that can chat at once, then deletes it", async () => {
    const created = await api("POST", "/api/v1/characters", { body: pirate });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ id: "pirate", configuration: { temperature: 1.1, max_tokens: 1024 }, statistics: { total_conversations: 0 } });
    expect((await send({ message: "ahoy", character_id: "pirate", session_id: "ship" })).status).toBe(200);

    const deleted = await api("DELETE", "/api/v1/characters/pirate");
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ character_id: "pirate" });
    expect((await api("GET", "/api/v1/characters/pirate")).status).toBe(404);
    expect((await api("DELETE", "/api/v1/characters/pirate")).status).toBe(404);
    // The conversation is not lost with the character.
    expect((await api("GET", "/api/v1/chat/history/ship")).json.total_count).toBe(2);
  });

  it("refuses a duplicate id with CONFLICT and keeps the original", async () => {
    const res = await api("POST", "/api/v1/characters", { body: { ...pirate, id: "assistant" } });
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe("CONFLICT");
    expect((await api("GET", "/api/v1/characters/assistant")).json.name).not.toBe("Captain Byte");
  });

  it("refuses chat keys", async () => {
    const { key } = await createKey();
    expect((await api("POST", "/api/v1/characters", { key, body: { ...pirate, id: "sneaky" } })).status).toBe(403);
    expect((await api("DELETE", "/api/v1/characters/creative", { key })).status).toBe(403);
    expect((await api("GET", "/api/v1/characters/sneaky")).status).toBe(404);
  });
});

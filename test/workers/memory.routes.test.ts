import { describe, expect, it } from "vitest";
import { api, createKey } from "../support/api";
import { MEMORIES, addMemory, listMemories } from "../support/memory";

const CHARACTER = "assistant";
const fresh = (name: string) => `${name}-${crypto.randomUUID().slice(0, 8)}`;

describe("the memory routes", () => {
  it("creates, lists, edits, pins, unpins and deletes a user's memories", async () => {
    const user = fresh("crud");
    const created = await addMemory({ character_id: CHARACTER, user_id: user, content: "  Likes jazz.  " });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ character_id: CHARACTER, user_id: user, session_id: null, kind: "pinned", pinned: true, content: "Likes jazz." });
    expect(created.json.id).toMatch(/^mem_[0-9a-f]{64}[0-9A-Za-z]{12}$/);
    const loose = await addMemory({ character_id: CHARACTER, user_id: user, content: "Has two sisters.", pinned: false });
    expect(loose.json.kind).toBe("fact");

    const listed = await listMemories({ character_id: CHARACTER, user_id: user });
    expect(listed.json).toMatchObject({ total: 2, has_more: false, limit: 50, offset: 0 });
    expect(listed.json.memories.map((m: { id: string }) => m.id)).toEqual([loose.json.id, created.json.id]);

    const unpinned = await api("PATCH", `${MEMORIES}/${created.json.id}`, { body: { pinned: false, content: "Likes jazz and blues." } });
    expect(unpinned.json).toMatchObject({ kind: "fact", pinned: false, content: "Likes jazz and blues." });
    const page = await listMemories({ character_id: CHARACTER, user_id: user, limit: "1", offset: "1" });
    expect(page.json).toMatchObject({ total: 2, has_more: false });
    expect(page.json.memories).toHaveLength(1);

    expect((await api("DELETE", `${MEMORIES}/${loose.json.id}`)).json).toEqual({ id: loose.json.id, deleted: true });
    expect((await api("DELETE", `${MEMORIES}/${loose.json.id}`)).status).toBe(404);
    expect((await listMemories({ character_id: CHARACTER, user_id: user })).json.total).toBe(1);
  });

  it("searches by meaning and by words, best first, with both scores", async () => {
    const user = fresh("search");
    for (const content of ["My dog is called Rex.", "I file my taxes in April.", "I grew up in Lisbon."]) {
      await addMemory({ character_id: CHARACTER, user_id: user, content, pinned: false });
    }
    const found = await listMemories({ character_id: CHARACTER, user_id: user, q: "what is my dog's name" });
    expect(found.status).toBe(200);
    const [best] = found.json.memories;
    expect(best.content).toBe("My dog is called Rex.");
    expect(best.vector_score).toBeGreaterThan(0);
    expect(best.text_score).toBeGreaterThan(0);
    expect(best.score).toBeGreaterThan(found.json.memories[1].score);
    expect(found.json.degraded).toBeUndefined();
    // Query syntax is text, never FTS5 syntax.
    expect((await listMemories({ character_id: CHARACTER, user_id: user, q: 'dog" OR NEAR( *' })).status).toBe(200);
  });

  it("answers another key's memory as not found, and lists nothing of it", async () => {
    const owner = await createKey("memory-owner");
    const other = await createKey("memory-other");
    const user = fresh("private");
    const mine = await addMemory({ character_id: CHARACTER, user_id: user, content: "Secret: fears heights." }, owner.key);
    expect(mine.status).toBe(201);
    for (const [method, body] of [
      ["PATCH", { content: "changed" }],
      ["DELETE", undefined],
    ] as const) {
      const res = await api(method, `${MEMORIES}/${mine.json.id}`, { body, key: other.key });
      expect(res.status).toBe(404);
      expect(res.json.error.code).toBe("NOT_FOUND");
    }
    expect((await listMemories({ character_id: CHARACTER, user_id: user }, other.key)).json.total).toBe(0);
    expect((await listMemories({ character_id: CHARACTER, user_id: user }, owner.key)).json.memories[0].content).toBe("Secret: fears heights.");
    // Admin reaches any memory by id.
    expect((await api("PATCH", `${MEMORIES}/${mine.json.id}`, { body: { content: "Fears heights." } })).status).toBe(200);
  });

  it.each([
    ["an over-long user_id", { user_id: "u".repeat(129), content: "x" }],
    ["an over-long memory", { user_id: "u", content: "x".repeat(2001) }],
    ["an empty memory", { user_id: "u", content: "   " }],
    ["both user_id and session_id", { user_id: "u", session_id: "s", content: "x" }],
    ["neither user_id nor session_id", { content: "x" }],
  ])("refuses %s with 400, storing nothing", async (_, body) => {
    const res = await addMemory({ character_id: CHARACTER, ...body });
    expect(res.status).toBe(400);
    expect(res.json.error.code).toBe("INVALID_REQUEST");
    expect((await listMemories({ character_id: CHARACTER, user_id: "u" })).json.total).toBe(0);
  });

  it("answers 404 for an unknown character and for ids that name nothing", async () => {
    expect((await addMemory({ character_id: "no-such-character", user_id: "u", content: "x" })).status).toBe(404);
    for (const id of ["mem_nothing", `mem_${"f".repeat(64)}AAAAAAAAAAAA`, `mem_${"0".repeat(64)}AAAAAAAAAAAA`]) {
      expect((await api("DELETE", `${MEMORIES}/${id}`)).status).toBe(404);
    }
    const user = fresh("bad-patch");
    const created = await addMemory({ character_id: CHARACTER, user_id: user, content: "x" });
    expect((await api("PATCH", `${MEMORIES}/${created.json.id}`, { body: {} })).status).toBe(400);
  });
});

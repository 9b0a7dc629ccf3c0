import { describe, expect, it } from "vitest";
import type { CharacterRow } from "../../workers/db/schema";
import { turnLore } from "../../workers/lore/session-books";
import { env } from "../support/env";
import { ADMIN_KEY, api, send } from "../support/api";
import { connect, ofType } from "../support/ws";
import { llmRequestWith, post } from "../support/cards";
import { upload } from "../support/lorebooks";

/** A V3 character_book with one keyword entry and one constant entry. */
const book = (keyword: string, extra: Record<string, unknown> = {}) => ({
  name: "World",
  entries: [
    { id: 1, keys: [keyword], content: `The ${keyword} sleeps under the mountain.`, enabled: true, insertion_order: 10, extensions: {}, ...extra },
    { id: 2, keys: [], content: "Magic is rare in this world.", enabled: true, constant: true, insertion_order: 5, extensions: { position: 0 } },
  ],
});

/** A character imported from a card whose character_book is `characterBook`. */
async function cardWithBook(id: string, characterBook: unknown, extensions: Record<string, unknown> = {}) {
  const card = { spec: "chara_card_v2", spec_version: "2.0", data: { name: id, description: "A storyteller.", character_book: characterBook, extensions } };
  const res = await post(`/api/v1/characters/import?id=${id}`, JSON.stringify(card), "application/json");
  expect(res.status).toBe(201);
}

const promptText = (request: { messages: { content: string }[] }) => request.messages.map((m) => m.content).join("\n");

describe("world info in turns", () => {
  it("puts a card book's entry in the prompt when its key is said, and names it in the reply's metadata", async () => {
    await cardWithBook("lore-card", book("dragon"));
    const hit = await send({ message: "Tell me of the dragon [[lore-1]]", character_id: "lore-card", session_id: "lore-card" });
    expect(hit.status).toBe(200);
    const prompt = promptText(await llmRequestWith("[[lore-1]]"));
    expect(prompt).toContain("The dragon sleeps under the mountain.");
    expect(prompt).toContain("Magic is rare in this world.");
    expect(hit.json.metadata.lore_entries).toEqual(expect.arrayContaining(["character:lore-card:1", "character:lore-card:2"]));

    // Two messages later the keyword has scrolled past the scan depth (2): the entry is gone, the constant stays.
    await send({ message: "Something else [[lore-2]]", character_id: "lore-card", session_id: "lore-card" });
    const later = await send({ message: "And now? [[lore-3]]", character_id: "lore-card", session_id: "lore-card" });
    const after = promptText(await llmRequestWith("[[lore-3]]"));
    expect(after).not.toContain("The dragon sleeps");
    expect(after).toContain("Magic is rare");
    expect(later.json.metadata.lore_entries).toEqual(["character:lore-card:2"]);
  });

  it("uses lorebooks attached to the character and to the session, and the notes at their depth", async () => {
    const attached = await upload(book("griffin"));
    const forSession = await upload(book("kraken"));
    await cardWithBook("lore-attached", { entries: [] }, { depth_prompt: { prompt: "{{char}} whispers.", depth: 0, role: "system" } });
    expect((await api("PUT", "/api/v1/characters/lore-attached", { body: { lorebook_ids: [attached.json.id] } })).status).toBe(200);
    expect((await api("PUT", "/api/v1/chat/sessions/lore-session/lorebooks", { body: { lorebook_ids: [forSession.json.id] } })).status).toBe(200);
    expect((await api("PUT", "/api/v1/chat/sessions/lore-session/note", { body: { content: "Keep it short.", depth: 1 } })).json).toMatchObject({
      content: "Keep it short.",
      depth: 1,
      role: "system",
    });
    await send({ message: "A griffin and a kraken [[lore-4]]", character_id: "lore-attached", session_id: "lore-session" });
    const messages = (await llmRequestWith("[[lore-4]]")).messages;
    const text = messages.map((m) => m.content).join("\n");
    expect(text).toContain("The griffin sleeps");
    expect(text).toContain("The kraken sleeps");
    // Depth 0: after the last message; the author's note at depth 1, just before it.
    expect(messages.at(-1)).toEqual({ role: "system", content: "lore-attached whispers." });
    expect(messages.at(-3)).toEqual({ role: "system", content: "Keep it short." });
    expect(messages.at(-2)!.content).toContain("[[lore-4]]");
  });

  it("previews the next prompt without storing anything or asking the LLM", async () => {
    await cardWithBook("lore-preview", book("phoenix"));
    const res = await api("POST", "/api/v1/chat/sessions/lore-preview/context", { body: { character_id: "lore-preview", message: "The phoenix rises" } });
    expect(res.status).toBe(200);
    expect(res.json.messages.at(-1)).toEqual({ role: "user", content: "The phoenix rises" });
    expect(res.json.lore).toEqual([
      expect.objectContaining({ lorebook_id: "character:lore-preview", entry_id: "2", matched_key: null }),
      expect.objectContaining({ lorebook_id: "character:lore-preview", entry_id: "1", matched_key: "phoenix" }),
    ]);
    const { sections, total } = res.json.tokens;
    expect(sections.lore).toBeGreaterThan(0);
    expect(total).toBe(sections.system + sections.lore + sections.memory + sections.examples + sections.history + sections.message);
    expect(res.json.memories).toEqual([]);
    // Nothing was stored: the session still does not exist.
    expect((await api("GET", "/api/v1/chat/history/lore-preview")).status).toBe(404);
  });

  it("refuses unknown lorebooks and characters, and another key's session", async () => {
    const missing = await api("PUT", "/api/v1/chat/sessions/lore-refuse/lorebooks", { body: { lorebook_ids: ["lb_nothing"] } });
    expect(missing.status).toBe(404);
    expect(missing.json.error.message).toContain("lb_nothing");
    const noCharacter = await api("POST", "/api/v1/chat/sessions/lore-refuse/context", { body: { character_id: "nobody-here", message: "hi" } });
    expect(noCharacter.status).toBe(404);
  });

  it("works over the WebSocket too: the reply frame names the entries", async () => {
    await cardWithBook("lore-socket", book("basilisk"));
    const socket = await connect("?session_id=lore-socket");
    socket.send({ type: "auth", token: ADMIN_KEY, session_id: "lore-socket" });
    socket.send({ type: "message", character_id: "lore-socket", content: "Beware the basilisk [[lore-5]]" });
    const response = await socket.next(ofType("response"));
    expect(response.metadata.lore_entries).toEqual(["character:lore-socket:2", "character:lore-socket:1"]);
    expect(promptText(await llmRequestWith("[[lore-5]]"))).toContain("The basilisk sleeps");
    socket.ws.close(1000);
  });
});

it("prepares a book once per version, however often the caches hand out new copies of it", async () => {
  const row = (updatedAt: string) =>
    ({ id: "lore-versions", name: "V", updatedAt, lorebookIds: [], extensions: {}, characterBook: book("wyvern") }) as unknown as CharacterRow;
  const note = { content: "", depth: 4, role: "system" as const };
  const first = await turnLore(env, row("2026-01-01T00:00:00.000Z"), [], note);
  // A reloaded row is a new object with the same version: the prepared books are the same.
  const reloaded = await turnLore(env, structuredClone(row("2026-01-01T00:00:00.000Z")), [], note);
  expect(reloaded.books).toBe(first.books);
  const edited = await turnLore(env, row("2026-01-02T00:00:00.000Z"), [], note);
  expect(edited.books).not.toBe(first.books);
  expect(edited.books.entries).toHaveLength(2);
});

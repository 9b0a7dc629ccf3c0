import { beforeAll, describe, expect, inject, it } from "vitest";
import { ChatacterClient, ChatacterError } from "../../shared/client/index.js";

// Lorebooks through the SDK against `npm start`: what the LLM (the stack's emulator) was sent, and what the replies say.
const baseUrl = inject("stackUrl");
const admin = new ChatacterClient(baseUrl, inject("stackAdminKey"));
// `npm start` says where its LLM emulator listens; the emulator records every request it gets.
const llmUrl = inject("stackOutput").match(/LLM EMULATOR at (http:\/\/\S+?)\/v1\b/)?.[1];

const CHARACTER = "lore-sdk-mira";
const MOONSTONE = "Moonstones glow blue when the twin moons rise.";
const HARBOR = "The harbor of Vell is closed after dark.";

/** A SillyTavern world-info file as SillyTavern writes one: entries keyed by uid. */
const world = () => ({
  entries: {
    "0": {
      uid: 0,
      key: ["moonstone"],
      keysecondary: [],
      comment: "Moonstone",
      content: MOONSTONE,
      constant: false,
      selective: false,
      selectiveLogic: 0,
      addMemo: true,
      order: 100,
      position: 0,
      disable: false,
      excludeRecursion: false,
      preventRecursion: false,
      probability: 100,
      useProbability: true,
      depth: 4,
      group: "",
      groupOverride: false,
      groupWeight: 100,
      scanDepth: null,
      caseSensitive: null,
      matchWholeWords: null,
      role: null,
      sticky: 0,
      cooldown: 0,
      delay: 0,
      displayIndex: 0,
    },
    "3": {
      uid: 3,
      key: ["sapphire", "/blue stones?/i"],
      keysecondary: [],
      comment: "Sapphires",
      content: "Sapphires are mined in the north.",
      constant: false,
      selective: false,
      selectiveLogic: 0,
      order: 90,
      position: 1,
      disable: false,
      probability: 100,
      useProbability: true,
      depth: 4,
      displayIndex: 1,
    },
  },
});

/** A bare character_book, as a card carries one. */
const harborBook = () => ({ name: "Vell", entries: [{ id: 7, keys: ["harbor"], content: HARBOR, enabled: true, insertion_order: 1, extensions: {} }] });

type Prompt = { role: string; content: string }[];

/** The messages of the chat-completions request whose newest user message contains `marker`, as the LLM got them. */
async function promptWith(marker: string): Promise<Prompt> {
  const requests = (await (await fetch(`${llmUrl}/__emulator/requests`)).json()) as { messages: Prompt }[];
  // Memory's own requests (fact extraction, summaries) quote the user's message too: only turns count.
  const found = requests.reverse().find(
    (r) =>
      !/durable facts about the user|rolling summary/.test(r.messages[0]?.content ?? "") &&
      r.messages
        .filter((m) => m.role === "user")
        .at(-1)
        ?.content.includes(marker),
  );
  if (!found) throw new Error(`the LLM got no request with ${marker}`);
  return found.messages;
}

const text = (prompt: Prompt) => prompt.map((m) => m.content).join("\n");

let client: ChatacterClient;
let worldId: string;
beforeAll(async () => {
  expect(llmUrl, "npm start names its LLM emulator").toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  // Chat with a key of its own, as an app would; the admin key uploads and attaches.
  client = new ChatacterClient(baseUrl, (await admin.createKey("lorebooks e2e")).key);
  const created = await admin.lorebooks.create(world(), { name: "Gems" });
  expect(created).toEqual({ id: expect.stringMatching(/^lb_/), name: "Gems", entry_count: 2 });
  worldId = created.id;
  const character = await admin.createCharacter({ id: CHARACTER, name: "Mira", description: "A jeweller in the port of Vell.", lorebook_ids: [worldId] });
  expect(character.lorebook_ids).toEqual([worldId]);
});

describe("lorebooks through the SDK, against npm start", () => {
  it("lists and reads an uploaded world in the normalized form, and keeps writing for admins", async () => {
    const { lorebooks } = await client.lorebooks.list();
    expect(lorebooks).toContainEqual(expect.objectContaining({ id: worldId, name: "Gems", entry_count: 2, format: "sillytavern" }));
    const book = await client.lorebooks.get(worldId);
    expect(book.entries.map(({ id, name, keys, position }) => ({ id, name, keys, position }))).toEqual([
      { id: "0", name: "Moonstone", keys: ["moonstone"], position: "before_char" },
      { id: "3", name: "Sapphires", keys: ["sapphire", "/blue stones?/i"], position: "after_char" },
    ]);
    expect((await client.getCharacter(CHARACTER)).lorebook_ids).toEqual([worldId]);
    const refused = await client.lorebooks.create(world()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ChatacterError);
    expect(refused).toMatchObject({ code: "FORBIDDEN", status: 403 });
  });

  it("puts the entry in the prompt when its keyword is said, names it in the reply, and drops it past the scan depth", async () => {
    const session = "lore-sdk-scan";
    const hit = await client.sendMessage("Is this ring a moonstone? [[lb-1]]", CHARACTER, session);
    expect(text(await promptWith("[[lb-1]]"))).toContain(MOONSTONE);
    expect(hit.metadata.lore_entries).toEqual([`${worldId}:0`]);

    // The scan reads the last 2 messages: one message later the reply before it (which echoed the keyword)
    // still holds it; two messages later it is gone.
    await client.sendMessage("Something else entirely. [[lb-2]]", CHARACTER, session);
    expect(text(await promptWith("[[lb-2]]"))).toContain(MOONSTONE);
    const later = await client.sendMessage("And what now? [[lb-3]]", CHARACTER, session);
    expect(text(await promptWith("[[lb-3]]"))).not.toContain(MOONSTONE);
    expect(later.metadata.lore_entries).toEqual([]);
  });

  it("fires the book a character card carries", async () => {
    const card = {
      spec: "chara_card_v2",
      spec_version: "2.0",
      data: { name: "Harbormaster", description: "Keeps the port of Vell.", character_book: harborBook() },
    };
    const imported = await fetch(`${baseUrl}/api/v1/characters/import?id=lore-sdk-card`, {
      method: "POST",
      headers: { Authorization: `Bearer ${inject("stackAdminKey")}`, "Content-Type": "application/json" },
      body: JSON.stringify(card),
    });
    expect(imported.status).toBe(201);
    const hit = await client.sendMessage("Can I sail into the harbor tonight? [[lb-card]]", "lore-sdk-card", "lore-sdk-card");
    expect(text(await promptWith("[[lb-card]]"))).toContain(HARBOR);
    expect(hit.metadata.lore_entries).toEqual(["character:lore-sdk-card:7"]);
    const miss = await client.sendMessage("Tell me about the weather. [[lb-card-2]]", "lore-sdk-card", "lore-sdk-card");
    expect(miss.metadata.lore_entries).toEqual(["character:lore-sdk-card:7"]);
    const gone = await client.sendMessage("And the food? [[lb-card-3]]", "lore-sdk-card", "lore-sdk-card");
    expect(text(await promptWith("[[lb-card-3]]"))).not.toContain(HARBOR);
    expect(gone.metadata.lore_entries).toEqual([]);
  });

  it("adds the session's lorebooks and its author's note to the prompt", async () => {
    const session = "lore-sdk-session-books";
    const harbor = await admin.lorebooks.create(harborBook());
    expect(harbor).toMatchObject({ name: "Vell", entry_count: 1 });
    // The session does not exist yet: setting its lorebooks makes it this key's.
    expect(await client.setSessionLorebooks(session, [harbor.id])).toEqual({ session_id: session, lorebook_ids: [harbor.id] });
    expect(await client.sessionLorebooks(session)).toEqual({ session_id: session, lorebook_ids: [harbor.id] });
    expect(await client.setSessionNote(session, { content: "Answer in one sentence.", depth: 1 })).toEqual({
      session_id: session,
      content: "Answer in one sentence.",
      depth: 1,
      role: "system",
    });
    expect(await client.sessionNote(session)).toMatchObject({ content: "Answer in one sentence.", depth: 1, role: "system" });

    const reply = await client.sendMessage("Is the harbor open? I have a moonstone. [[lb-4]]", CHARACTER, session);
    const prompt = await promptWith("[[lb-4]]");
    expect(text(prompt)).toContain(HARBOR);
    expect(text(prompt)).toContain(MOONSTONE);
    // Depth 1: just before the newest message.
    expect(prompt.at(-2)).toEqual({ role: "system", content: "Answer in one sentence." });
    expect(prompt.at(-1)).toMatchObject({ role: "user", content: expect.stringContaining("[[lb-4]]") });
    expect(reply.metadata.lore_entries).toEqual(expect.arrayContaining([`${worldId}:0`, `${harbor.id}:7`]));
    expect(reply.metadata.lore_entries).toHaveLength(2);

    // Detached and the note emptied: neither reaches the next prompt.
    await client.setSessionLorebooks(session, []);
    expect((await client.setSessionNote(session, { content: "" })).content).toBe("");
    await client.sendMessage("Is the harbor open now? [[lb-5]]", CHARACTER, session);
    const after = text(await promptWith("[[lb-5]]"));
    expect(after).not.toContain(HARBOR);
    expect(after).not.toContain("Answer in one sentence.");
  });

  it("previews the next prompt with the entry that would fire, and stores nothing", async () => {
    const session = "lore-sdk-preview";
    await client.sendMessage("Hello there. [[lb-6]]", CHARACTER, session);
    const before = await client.getHistory(session);

    const preview = await client.contextPreview(session, { characterId: CHARACTER, message: "A moonstone for Sam? [[lb-7]]", userName: "Sam" });
    expect(preview.lore).toEqual([
      { lorebook_id: worldId, entry_id: "0", name: "Moonstone", position: "before_char", depth: null, matched_key: "moonstone", tokens: expect.any(Number) },
    ]);
    expect(text(preview.messages)).toContain(MOONSTONE);
    expect(preview.messages.at(-1)).toEqual({ role: "user", content: "A moonstone for Sam? [[lb-7]]" });
    expect(text(preview.messages)).toContain("Hello there. [[lb-6]]");
    const { total, budget, sections } = preview.tokens;
    expect(sections.lore).toBeGreaterThanOrEqual(preview.lore[0]!.tokens);
    expect(sections.history).toBeGreaterThan(0);
    expect(total).toBe(sections.system + sections.lore + sections.memory + sections.examples + sections.history + sections.message);
    expect(total).toBeLessThan(budget);
    expect(preview.memories).toEqual([]);

    // Nothing stored, no LLM asked.
    const after = await client.getHistory(session);
    expect(after.total_count).toBe(before.total_count);
    expect(after.messages).toEqual(before.messages);
    await expect(promptWith("[[lb-7]]")).rejects.toThrow(/no request/);
    // A session that does not exist yet can be previewed, and still does not exist after.
    expect((await client.contextPreview("lore-sdk-preview-new", { characterId: CHARACTER, message: "moonstone" })).lore).toHaveLength(1);
    await expect(client.getHistory("lore-sdk-preview-new")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("exports a world back as it was uploaded, converts it to V3, and replaces and removes lorebooks", async () => {
    expect(await client.lorebooks.export(worldId, "sillytavern")).toEqual(world());
    const v3 = await client.lorebooks.export(worldId, "v3");
    expect(v3).toMatchObject({ spec: "lorebook_v3", data: { name: "Gems" } });
    expect(v3.data.entries).toContainEqual(expect.objectContaining({ keys: ["moonstone"], content: MOONSTONE }));

    // The V3 export uploads as a lorebook whose entries read as the world's did.
    const copy = await admin.lorebooks.create(v3);
    expect(copy).toMatchObject({ name: "Gems", entry_count: 2 });
    const strip = ({ entries }: { entries: { name: string; keys: string[]; content: string; position: string }[] }) =>
      entries.map(({ name, keys, content, position }) => ({ name, keys, content, position }));
    expect(strip(await client.lorebooks.get(copy.id))).toEqual(strip(await client.lorebooks.get(worldId)));

    // Replace with a file's JSON text as it was read, sent byte for byte; the character keeps the book.
    const replaced = await admin.lorebooks.replace(copy.id, JSON.stringify(harborBook(), null, 2), { name: "Vell again" });
    expect(replaced).toEqual({ id: copy.id, name: "Vell again", entry_count: 1 });
    expect(await admin.lorebooks.export(copy.id, "v3")).toMatchObject({
      spec: "lorebook_v3",
      data: { entries: [expect.objectContaining({ content: HARBOR })] },
    });
    await expect(admin.lorebooks.create("{ not json")).rejects.toMatchObject({ code: "INVALID_REQUEST", status: 400 });

    await admin.updateCharacter(CHARACTER, { lorebook_ids: [worldId, copy.id] });
    const removed = await admin.lorebooks.remove(copy.id);
    expect(removed).toMatchObject({ lorebook_id: copy.id, detached_from: [CHARACTER] });
    expect((await client.getCharacter(CHARACTER)).lorebook_ids).toEqual([worldId]);
    await expect(client.lorebooks.get(copy.id)).rejects.toMatchObject({ code: "NOT_FOUND", status: 404 });
  });
});

import { describe, expect, it } from "vitest";
import { chunkText } from "../../workers/db/lorebooks";
import { api, createKey } from "../support/api";
import { post, v2Card } from "../support/cards";
import { characterBook, LOREBOOKS, sillyTavernWorld, upload, v3Lorebook } from "../support/lorebooks";

const exportAs = (id: string, format: string, key?: string) => api("GET", `${LOREBOOKS}/${id}/export?format=${format}`, { key });
const entriesOf = async (id: string) => (await api("GET", `${LOREBOOKS}/${id}`)).json.entries as any[];

describe("a SillyTavern world-info file", () => {
  it("is stored, answered in the normalized form, and exported as sillytavern unchanged", async () => {
    const world = sillyTavernWorld();
    const created = await upload(world, "?name=Silverwood%20world");
    expect(created.status).toBe(201);
    expect(created.json).toEqual({ id: expect.stringMatching(/^lb_[A-Za-z0-9]{20}$/), name: "Silverwood world", entry_count: 4 });
    const { id } = created.json;

    const exported = await exportAs(id, "sillytavern");
    expect(exported.status).toBe(200);
    expect(exported.json).toEqual(world);
    expect(exported.headers.get("Content-Disposition")).toBe(`attachment; filename="Silverwood world.json"; filename*=UTF-8''Silverwood%20world.json`);

    const book = (await api("GET", `${LOREBOOKS}/${id}`)).json;
    expect(book).toMatchObject({
      id,
      name: "Silverwood world",
      format: "sillytavern",
      entry_count: 4,
      scan_depth: null,
      token_budget: null,
      recursive_scanning: true,
    });
    expect(book.entries.map((e: any) => [e.id, e.name, e.position])).toEqual([
      ["0", "Elara", "before_char"],
      ["1", "Swords", "at_depth"],
      ["7", "World rules", "after_char"],
      ["12", "Dragons (disabled)", "an_bottom"],
    ]);
    expect(book.entries[0]).toEqual({
      id: "0",
      name: "Elara",
      keys: ["Elara", "the elf"],
      secondary_keys: ["forest", "glade"],
      content: "Elara is an elven ranger who guards the Silverwood.",
      enabled: true,
      constant: false,
      selective: true,
      selective_logic: "AND_ALL",
      case_sensitive: true,
      match_whole_words: true,
      use_regex: false,
      insertion_order: 120,
      priority: null,
      position: "before_char",
      depth: 4,
      role: "system",
      scan_depth: 5,
      probability: 80,
      use_probability: true,
      group: "elves,rangers",
      group_override: true,
      group_weight: 60,
      exclude_recursion: true,
      prevent_recursion: false,
      delay_until_recursion: false,
      sticky: 2,
      cooldown: 3,
      delay: 1,
    });
    expect(book.entries[1]).toMatchObject({
      use_regex: true,
      depth: 2,
      role: "user",
      prevent_recursion: true,
      delay_until_recursion: true,
      use_probability: false,
    });
    expect(book.entries[2]).toMatchObject({ constant: true, selective_logic: "NOT_ALL", role: "assistant", keys: [] });
    expect(book.entries[3]).toMatchObject({ enabled: false, selective_logic: "NOT_ANY", use_regex: true, probability: 50 });
  });

  it("exports as a V3 lorebook with SillyTavern's mapping, which imports back to the same entries", async () => {
    const { id } = (await upload(sillyTavernWorld(), "?name=Round")).json;
    const v3 = (await exportAs(id, "v3")).json;
    expect(v3.spec).toBe("lorebook_v3");
    expect(v3.data.name).toBe("Round");
    const [elara, swords, rules, dragons] = v3.data.entries;
    expect(elara).toMatchObject({
      id: 0,
      keys: ["Elara", "the elf"],
      secondary_keys: ["forest", "glade"],
      comment: "Elara",
      content: "Elara is an elven ranger who guards the Silverwood.",
      insertion_order: 120,
      enabled: true,
      position: "before_char",
      use_regex: false,
      extensions: {
        position: 0,
        selectiveLogic: 3,
        group: "elves,rangers",
        group_weight: 60,
        scan_depth: 5,
        case_sensitive: true,
        sticky: 2,
        triggers: ["normal", "continue"],
      },
    });
    expect(swords).toMatchObject({
      position: "after_char",
      use_regex: true,
      extensions: { position: 4, depth: 2, role: 1, "chatacter/test": { note: "kept" } },
    });
    expect(rules).toMatchObject({ constant: true, position: "after_char", extensions: { position: 1, role: 2 } });
    expect(dragons).toMatchObject({ enabled: false, secondary_keys: ["/red|black/"], extensions: { position: 3 } });

    const again = await upload(v3);
    expect(again.status).toBe(201);
    expect(await entriesOf(again.json.id)).toEqual(await entriesOf(id));
  });
});

describe("a V3 lorebook", () => {
  it("is stored and exported as v3 unchanged, every field kept", async () => {
    const document = v3Lorebook();
    const created = await upload(document);
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ name: "Silverwood", entry_count: 3 });
    expect((await exportAs(created.json.id, "v3")).json).toEqual(document);
  });

  it("is answered in the normalized form", async () => {
    const { id } = (await upload(v3Lorebook())).json;
    const book = (await api("GET", `${LOREBOOKS}/${id}`)).json;
    expect(book).toMatchObject({ format: "v3", scan_depth: 6, token_budget: 900, recursive_scanning: false });
    const [forest, moon, constant] = book.entries;
    expect(forest).toMatchObject({
      id: "100",
      name: "Silverwood",
      content: "@@depth 3\nThe Silverwood is an ancient forest.",
      position: "at_depth",
      depth: 3,
      role: "user",
      selective_logic: "NOT_ALL",
      case_sensitive: false,
      priority: 5,
      insertion_order: 10,
      group: "places",
      group_weight: 40,
      sticky: 4,
      secondary_keys: ["trees"],
    });
    expect(moon).toMatchObject({ id: "101", name: "", enabled: false, use_regex: true, position: "before_char", keys: ["^moon(steel|silver)$", "/Lune/i"] });
    // An extensions position that is not SillyTavern's number is someone else's: the spec's position applies.
    expect(constant).toMatchObject({ id: "2", constant: true, position: "after_char", probability: 30 });
  });

  it("exports as SillyTavern's world info, keeping keys, content and positions, and the book in originalData", async () => {
    const document = v3Lorebook();
    const { id } = (await upload(document)).json;
    const world = (await exportAs(id, "sillytavern")).json;
    expect(Object.keys(world.entries)).toEqual(["2", "100", "101"]);
    expect(world.originalData).toEqual(document.data);
    expect(world.entries["100"]).toMatchObject({
      uid: 100,
      key: ["Silverwood", "the forest"],
      keysecondary: ["trees"],
      comment: "the forest entry",
      content: "@@depth 3\nThe Silverwood is an ancient forest.",
      order: 10,
      position: 4,
      depth: 3,
      role: 1,
      selectiveLogic: 1,
      caseSensitive: false,
      disable: false,
      displayIndex: 0,
    });
    expect(world.entries["101"]).toMatchObject({ key: ["^moon(steel|silver)$", "/Lune/i"], position: 0, disable: true });
    expect(world.entries["2"]).toMatchObject({ uid: 2, constant: true, position: 1, probability: 30 });

    const again = await upload(world);
    expect(again.status).toBe(201);
    const [before, after] = [await entriesOf(id), await entriesOf(again.json.id)];
    const keep = (e: any) => ({ id: e.id, keys: e.keys, content: e.content, position: e.position, depth: e.depth, role: e.role, enabled: e.enabled });
    // The V3 reading of keys without slashes as patterns (use_regex) has no SillyTavern field; the rest maps.
    expect(after.map(keep).sort((a, b) => a.id.localeCompare(b.id))).toEqual(before.map(keep).sort((a, b) => a.id.localeCompare(b.id)));
  });
});

describe("a bare character_book", () => {
  it("is stored with its own name and exported as a V3 lorebook around it", async () => {
    const book = characterBook();
    const created = await upload(book);
    expect(created.json).toMatchObject({ name: "Glade lore", entry_count: 2 });
    expect((await api("GET", `${LOREBOOKS}/${created.json.id}`)).json.format).toBe("character_book");
    expect((await exportAs(created.json.id, "v3")).json).toEqual({ spec: "lorebook_v3", data: book });
    expect((await exportAs(created.json.id, "sillytavern")).json.entries["2"]).toMatchObject({ key: ["shadow beasts"], position: 1 });
  });

  it("is exported as v3 when no format is given", async () => {
    const { id } = (await upload(characterBook())).json;
    expect((await api("GET", `${LOREBOOKS}/${id}/export`)).json.spec).toBe("lorebook_v3");
  });
});

describe("large lorebooks", () => {
  it("a document just under 2 MiB, in text beyond ASCII, is stored across rows and comes back whole", async () => {
    // "龍🐉a" is 4 UTF-16 units and 8 UTF-8 bytes: the stored JSON runs to several chunks, cut between pairs.
    const content = "龍🐉a".repeat(40_000);
    const entries = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [String(i), { uid: i, key: [`龍${i}`], content: `${i}${content}` }]));
    const world = { entries };
    expect(new TextEncoder().encode(JSON.stringify(world)).byteLength).toBeGreaterThan(1_900_000);
    const created = await upload(world);
    expect(created.status, created.text).toBe(201);
    expect((await exportAs(created.json.id, "sillytavern")).json).toEqual(world);
    expect((await entriesOf(created.json.id)).map((e) => e.content)).toEqual(Object.values(entries).map((e) => e.content));
  });

  it("5,000 entries are stored", async () => {
    const entries = Array.from({ length: 5000 }, (_, i) => ({ keys: [`key ${i}`], content: `Entry ${i}.`, extensions: {}, enabled: true, insertion_order: i }));
    const created = await upload({ spec: "lorebook_v3", data: { name: "Many", entries } });
    expect(created.json).toMatchObject({ entry_count: 5000 });
    const book = (await api("GET", `${LOREBOOKS}/${created.json.id}`)).json;
    expect(book.entries).toHaveLength(5000);
    expect(book.entries[4999]).toMatchObject({ id: "4999", keys: ["key 4999"], insertion_order: 4999 });
  });

  it("chunks never split a surrogate pair", () => {
    expect(chunkText("a🐉b", 2)).toEqual(["a", "🐉", "b"]);
    expect(chunkText("🐉🐉", 3)).toEqual(["🐉", "🐉"]);
    expect(chunkText("", 5)).toEqual([""]);
    const text = "x🐉".repeat(1000);
    for (const size of [2, 3, 7, 64]) {
      const pieces = chunkText(text, size);
      expect(pieces.join("")).toBe(text);
      for (const piece of pieces) expect(piece).toMatch(/^(?:[^\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])*$/);
    }
  });
});

describe("listing, replacing and deleting", () => {
  it("lists lorebooks without their entries, for chat keys too", async () => {
    const { id } = (await upload(characterBook(), "?name=Listed")).json;
    const { key } = await createKey();
    const list = await api("GET", LOREBOOKS, { key });
    expect(list.status).toBe(200);
    expect(list.json.lorebooks).toContainEqual({
      id,
      name: "Listed",
      format: "character_book",
      entry_count: 2,
      created_at: expect.stringMatching(/Z$/),
      updated_at: expect.stringMatching(/Z$/),
    });
    expect((await api("GET", `${LOREBOOKS}/${id}`, { key })).status).toBe(200);
    expect((await exportAs(id, "sillytavern", key)).status).toBe(200);
  });

  it("replaces a lorebook's document, in another format, keeping its id and name", async () => {
    const { id } = (await upload(characterBook(), "?name=Kept name")).json;
    const world = sillyTavernWorld();
    const replaced = await upload(world, "", undefined, "PUT", `${LOREBOOKS}/${id}`);
    expect(replaced.status).toBe(200);
    expect(replaced.json).toEqual({ id, name: "Kept name", entry_count: 4 });
    const book = (await api("GET", `${LOREBOOKS}/${id}`)).json;
    expect(book).toMatchObject({ format: "sillytavern", entry_count: 4 });
    expect(book.updated_at >= book.created_at).toBe(true);
    expect((await exportAs(id, "sillytavern")).json).toEqual(world);
    // A new name, or the document's own.
    expect((await upload(v3Lorebook(), "?name=Renamed", undefined, "PUT", `${LOREBOOKS}/${id}`)).json.name).toBe("Renamed");
    expect((await upload(v3Lorebook(), "", undefined, "PUT", `${LOREBOOKS}/${id}`)).json.name).toBe("Silverwood");
  });

  it("deletes a lorebook", async () => {
    const { id } = (await upload(characterBook())).json;
    const deleted = await api("DELETE", `${LOREBOOKS}/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.json).toMatchObject({ message: "Lorebook deleted", lorebook_id: id, detached_from: [] });
    expect((await api("GET", `${LOREBOOKS}/${id}`)).status).toBe(404);
    expect((await api("GET", LOREBOOKS)).json.lorebooks.map((b: any) => b.id)).not.toContain(id);
  });
});

describe("lorebooks attached to characters", () => {
  it("are set on create and update, shown on GET, and detached when the lorebook is deleted", async () => {
    const first = (await upload(characterBook())).json.id;
    const second = (await upload(sillyTavernWorld())).json.id;
    const created = await api("POST", "/api/v1/characters", { body: { id: "loremaster", name: "Loremaster", lorebook_ids: [second, first] } });
    expect(created.status).toBe(201);
    expect(created.json.lorebook_ids).toEqual([second, first]);
    expect((await api("GET", "/api/v1/characters/loremaster")).json.lorebook_ids).toEqual([second, first]);

    const updated = await api("PUT", "/api/v1/characters/loremaster", { body: { lorebook_ids: [first] } });
    expect(updated.status).toBe(200);
    expect(updated.json.lorebook_ids).toEqual([first]);
    // Read once, so this isolate caches the character; the delete must not leave it stale.
    expect((await api("GET", "/api/v1/characters/loremaster")).json.lorebook_ids).toEqual([first]);

    const deleted = await api("DELETE", `${LOREBOOKS}/${first}`);
    expect(deleted.json.detached_from).toEqual(["loremaster"]);
    expect((await api("GET", "/api/v1/characters/loremaster")).json.lorebook_ids).toEqual([]);
  });

  it("keep the others when one of several is deleted, and characters default to none", async () => {
    const [a, b, c] = [(await upload(characterBook())).json.id, (await upload(characterBook())).json.id, (await upload(characterBook())).json.id];
    await api("POST", "/api/v1/characters", { body: { id: "three-books", name: "Three", lorebook_ids: [a, b, c] } });
    await api("POST", "/api/v1/characters", { body: { id: "no-books", name: "None" } });
    await api("DELETE", `${LOREBOOKS}/${b}`);
    expect((await api("GET", "/api/v1/characters/three-books")).json.lorebook_ids).toEqual([a, c]);
    expect((await api("GET", "/api/v1/characters/no-books")).json.lorebook_ids).toEqual([]);
    expect((await api("GET", "/api/v1/characters/assistant")).json.lorebook_ids).toEqual([]);
  });

  it("leave a card import and its character_book as before", async () => {
    const book = characterBook();
    const imported = await post("/api/v1/characters/import", JSON.stringify(v2Card({ name: "Book Keeper", character_book: book })), "application/json");
    expect(imported.status).toBe(201);
    expect(imported.json.lorebook_ids).toEqual([]);
    expect((await api("GET", "/api/v1/characters/book-keeper/export")).json.data.character_book).toEqual(book);
  });
});

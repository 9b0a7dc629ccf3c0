import { describe, expect, it } from "vitest";
import type { SelectiveLogic } from "../../workers/lore/types";
import { activate, book, entry, firedIds, reasonOf } from "./lore.fixtures";

describe("primary keys", () => {
  it("puts an entry in the prompt when one of its keys is in the recent messages, and names the key", () => {
    const result = activate(book([entry({ id: "dragon", keys: ["wyrm", "dragon"], content: "Dragons hoard gold." })]), {
      messages: ["Tell me about the dragon."],
    });
    expect(result.entries).toMatchObject([{ entryId: "dragon", content: "Dragons hoard gold.", matchedKey: "dragon", trigger: "key", step: 1 }]);
  });

  it("leaves it out, saying no key matched, when none is there", () => {
    const result = activate(book([entry({ id: "dragon", keys: ["dragon"] })]), { messages: ["Tell me about the castle."] });
    expect(result.entries).toEqual([]);
    expect(reasonOf(result, "dragon")).toBe("no_key_match");
  });

  it("never matches an empty or blank key, and an entry without keys never fires by keys", () => {
    const result = activate(book([entry({ id: "blank", keys: ["", "  "] }), entry({ id: "none" })]), { messages: ["anything at all"] });
    expect(firedIds(result)).toEqual([]);
    expect(result.considered.find((item) => item.entryId === "none")?.detail).toBe("no keys");
  });

  it("trims keys as SillyTavern does", () => {
    expect(firedIds(activate(book([entry({ id: "a", keys: ["  castle "] })]), { messages: ["the castle gate"] }))).toEqual(["a"]);
  });
});

describe("constant", () => {
  it("puts a constant entry in every prompt, with no matched key", () => {
    const result = activate(book([entry({ id: "world", constant: true })]), { messages: ["nothing relevant"] });
    expect(result.entries).toMatchObject([{ entryId: "world", matchedKey: null, trigger: "constant" }]);
  });
});

describe("enabled", () => {
  it("never fires a disabled entry, constant or matched", () => {
    const result = activate(book([entry({ id: "off", enabled: false, constant: true, keys: ["dragon"] })]), { messages: ["dragon"] });
    expect(firedIds(result)).toEqual([]);
    expect(reasonOf(result, "off")).toBe("disabled");
  });
});

describe("case sensitivity", () => {
  it("matches regardless of case by default", () => {
    expect(firedIds(activate(book([entry({ id: "rose", keys: ["Rose"] })]), { messages: ["a ROSE garden"] }))).toEqual(["rose"]);
  });

  it("matches only the exact case when the entry is case-sensitive", () => {
    const books = book([entry({ id: "name", keys: ["Rose"], caseSensitive: true }), entry({ id: "flower", keys: ["rose"], caseSensitive: true })]);
    expect(firedIds(activate(books, { messages: ["Rose picked a flower"] }))).toEqual(["name"]);
  });

  it("takes the default from the prepare options when the entry does not say", () => {
    const books = book([entry({ id: "rose", keys: ["Rose"] })]);
    expect(firedIds(activate(books, { messages: ["a rose"], prepare: { caseSensitive: true } }))).toEqual([]);
  });
});

describe("whole-word matching", () => {
  it("matches a one-word key only as a whole word (king: 'the king!' yes, 'liking' no)", () => {
    const books = book([entry({ id: "king", keys: ["king"] })]);
    expect(firedIds(activate(books, { messages: ["Long live the king!"] }))).toEqual(["king"]);
    expect(firedIds(activate(books, { messages: ["It is not to my liking"] }))).toEqual([]);
  });

  it("treats punctuation and the start or end of a message as word boundaries", () => {
    const books = book([entry({ id: "king", keys: ["king"] })]);
    expect(firedIds(activate(books, { messages: ["king, come here"] }))).toEqual(["king"]);
    expect(firedIds(activate(books, { messages: ["(king)"] }))).toEqual(["king"]);
  });

  it("matches a key of several words as a substring, as SillyTavern does", () => {
    const books = book([entry({ id: "dragon", keys: ["red dragon"] })]);
    expect(firedIds(activate(books, { messages: ["two red dragons flew by"] }))).toEqual(["dragon"]);
  });

  it("matches substrings when the entry turns whole words off", () => {
    const books = book([entry({ id: "king", keys: ["king"], matchWholeWords: false })]);
    expect(firedIds(activate(books, { messages: ["It is not to my liking"] }))).toEqual(["king"]);
  });
});

describe("regex keys", () => {
  it("treats a /pattern/flags key as a regex with its own flags", () => {
    const books = book([entry({ id: "drake", keys: ["/dra(ke|gon)s?/i"] })]);
    expect(activate(books, { messages: ["DRAKES everywhere"] }).entries).toMatchObject([{ matchedKey: "/dra(ke|gon)s?/i" }]);
  });

  it("does not apply the case-insensitive default to a regex key", () => {
    expect(firedIds(activate(book([entry({ id: "rose", keys: ["/Rose/"] })]), { messages: ["a rose"] }))).toEqual([]);
  });

  it("can match one speaker's line through the \\x01 separator and the included names", () => {
    const books = book([entry({ id: "greet", keys: ["/\\x01Alice:[^\\x01]*hello/"] })]);
    const said = (name: string) => activate(books, { messages: [{ role: "user", name, content: "hello there" }] });
    expect(firedIds(said("Alice"))).toEqual(["greet"]);
    expect(firedIds(said("Bob"))).toEqual([]);
  });

  it("reads a key with an unescaped inner slash as plain text", () => {
    expect(firedIds(activate(book([entry({ id: "path", keys: ["/a/b/"] })]), { messages: ["go to /a/b/ now"] }))).toEqual(["path"]);
  });

  it("reports a regex that does not compile, on the entry, without throwing", () => {
    const result = activate(book([entry({ id: "bad", keys: ["/(unclosed/"] })]), { messages: ["(unclosed"] });
    expect(reasonOf(result, "bad")).toBe("regex_error");
    expect(result.considered[0]?.warnings[0]).toContain('key "/(unclosed/" not used');
  });
});

describe("secondary keys and selective logic", () => {
  // Primary "sword" is always present; the secondary keys are "fire" and "ice".
  const table: Array<[SelectiveLogic, { none: boolean; one: boolean; both: boolean }]> = [
    ["AND_ANY", { none: false, one: true, both: true }],
    ["AND_ALL", { none: false, one: false, both: true }],
    ["NOT_ANY", { none: true, one: false, both: false }],
    ["NOT_ALL", { none: true, one: true, both: false }],
  ];
  const messages = { none: "a sword", one: "a sword of fire", both: "a sword of fire and ice" };

  for (const [logic, expected] of table) {
    it(`${logic}: fires with none / one / both secondary keys present = ${expected.none} / ${expected.one} / ${expected.both}`, () => {
      const books = book([entry({ id: "sword", keys: ["sword"], secondaryKeys: ["fire", "ice"], selectiveLogic: logic })]);
      for (const present of ["none", "one", "both"] as const) {
        const result = activate(books, { messages: [messages[present]] });
        expect(firedIds(result).length === 1, `${logic} with ${present}`).toBe(expected[present]);
        if (!expected[present]) expect(reasonOf(result, "sword")).toBe("secondary_logic_failed");
      }
    });
  }

  it("ignores the secondary keys of an entry that is not selective", () => {
    const books = book([entry({ id: "sword", keys: ["sword"], secondaryKeys: ["fire"], selective: false })]);
    expect(firedIds(activate(books, { messages: ["a sword"] }))).toEqual(["sword"]);
  });

  it("needs the primary key even when the secondary logic would pass", () => {
    const books = book([entry({ id: "sword", keys: ["sword"], secondaryKeys: ["fire"], selectiveLogic: "NOT_ANY" })]);
    expect(reasonOf(activate(books, { messages: ["an axe"] }), "sword")).toBe("no_key_match");
  });
});

describe("scan depth", () => {
  const messages = ["the dragon sleeps", "ok", "and then?"];

  it("scans the last 2 messages by default", () => {
    expect(firedIds(activate(book([entry({ id: "dragon", keys: ["dragon"] })]), { messages }))).toEqual([]);
  });

  it("scans deeper when the book says so", () => {
    expect(firedIds(activate(book([entry({ id: "dragon", keys: ["dragon"] })], { scanDepth: 3 }), { messages }))).toEqual(["dragon"]);
  });

  it("lets an entry's scan depth override its book's", () => {
    const books = book([entry({ id: "near", keys: ["dragon"], scanDepth: 1 }), entry({ id: "far", keys: ["dragon"], scanDepth: 3 })], { scanDepth: 2 });
    expect(firedIds(activate(books, { messages }))).toEqual(["far"]);
  });

  it("scans only other entries' content at depth 0", () => {
    const books = book([entry({ id: "dragon", keys: ["dragon"], scanDepth: 0 }), entry({ id: "lair", constant: true, content: "A dragon lives here." })]);
    expect(activate(books, { messages: ["dragon"] }).entries).toMatchObject([{ entryId: "dragon", step: 2 }, { entryId: "lair" }]);
  });

  it("takes the engine-wide default from the limits", () => {
    const books = book([entry({ id: "dragon", keys: ["dragon"] })]);
    expect(firedIds(activate(books, { messages, limits: { defaultScanDepth: 3 } }))).toEqual(["dragon"]);
  });
});

describe("speaker names in the scanned text", () => {
  it("matches a speaker's name as SillyTavern's Include Names does, and not when names are left out", () => {
    const books = book([entry({ id: "alice", keys: ["Alice"] })]);
    const messages = [{ role: "user" as const, name: "Alice", content: "hi" }];
    expect(firedIds(activate(books, { messages }))).toEqual(["alice"]);
    expect(firedIds(activate(books, { messages, limits: { includeNames: false } }))).toEqual([]);
  });
});

describe("empty content", () => {
  it("adds nothing for an entry whose content is empty, and says so", () => {
    const result = activate(book([entry({ id: "empty", constant: true, content: "  " })]));
    expect(firedIds(result)).toEqual([]);
    expect(reasonOf(result, "empty")).toBe("empty_content");
  });
});

describe("the report", () => {
  it("lists every entry of every book in book order, fired or not, with why not", () => {
    const result = activate(
      [
        book([entry({ id: "a", keys: ["dragon"] }), entry({ id: "b", keys: ["castle"] })], { id: "card" }),
        book([entry({ id: "c", enabled: false }), entry({ id: "d", constant: true })], { id: "session" }),
      ],
      { messages: ["a dragon"] },
    );
    expect(result.considered.map(({ bookId, entryId, fired, reason }) => [bookId, entryId, fired, reason])).toEqual([
      ["card", "a", true, null],
      ["card", "b", false, "no_key_match"],
      ["session", "c", false, "disabled"],
      ["session", "d", true, null],
    ]);
  });

  it("counts a book given twice once", () => {
    const once = book([entry({ id: "a", constant: true })]);
    expect(activate([once, once]).considered).toHaveLength(1);
  });
});

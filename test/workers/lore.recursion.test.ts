import { describe, expect, it } from "vitest";
import { activate, book, entry, firedIds, reasonOf } from "./lore.fixtures";

// SillyTavern's documented example: mentioning only Bessie brings in Rufus through Bessie's content.
const bessie = entry({ id: "bessie", keys: ["Bessie"], content: "Bessie is a cow and is friends with Rufus." });
const rufus = entry({ id: "rufus", keys: ["Rufus"], content: "Rufus is a dog." });

describe("recursive scanning", () => {
  it("activates an entry whose key is in another activated entry's content", () => {
    const result = activate(book([bessie, rufus]), { messages: ["Who is Bessie?"] });
    expect(result.entries).toMatchObject([
      { entryId: "bessie", step: 1 },
      { entryId: "rufus", step: 2, matchedKey: "Rufus" },
    ]);
    // Sweeps run: the messages, Bessie's content, then Rufus's (which finds nothing more).
    expect(result.steps).toBe(3);
  });

  it("follows chains until a sweep adds nothing", () => {
    const kennel = entry({ id: "kennel", keys: ["dog"], content: "The kennel is warm." });
    expect(firedIds(activate(book([bessie, rufus, kennel]), { messages: ["Bessie"] }))).toEqual(["bessie", "rufus", "kennel"]);
  });

  it("does not recurse into a book that turns recursive scanning off", () => {
    const result = activate(book([bessie, rufus], { recursiveScanning: false }), { messages: ["Who is Bessie?"] });
    expect(firedIds(result)).toEqual(["bessie"]);
    expect(reasonOf(result, "rufus")).toBe("no_key_match");
  });

  it("lets a recursive book's entries be matched by a non-recursive book's content", () => {
    const result = activate([book([bessie], { id: "farm", recursiveScanning: false }), book([rufus], { id: "pets" })], { messages: ["Bessie"] });
    expect(firedIds(result)).toEqual(["bessie", "rufus"]);
  });

  it("never lets other entries activate an entry that excludes recursion (non-recursable), and says so", () => {
    const result = activate(book([bessie, { ...rufus, excludeRecursion: true }]), { messages: ["Who is Bessie?"] });
    expect(firedIds(result)).toEqual(["bessie"]);
    expect(reasonOf(result, "rufus")).toBe("recursion_excluded");
  });

  it("still fires a non-recursable entry whose key is in the messages", () => {
    expect(firedIds(activate(book([bessie, { ...rufus, excludeRecursion: true }]), { messages: ["Rufus barks"] }))).toEqual(["rufus"]);
  });

  it("does not scan the content of an entry that prevents further recursion", () => {
    const result = activate(book([{ ...bessie, preventRecursion: true }, rufus]), { messages: ["Who is Bessie?"] });
    expect(firedIds(result)).toEqual(["bessie"]);
    expect(result.steps).toBe(1);
  });

  it("fires an entry delayed until recursion only through other entries' content", () => {
    const delayed = { ...rufus, delayUntilRecursion: true };
    expect(firedIds(activate(book([bessie, delayed]), { messages: ["Bessie"] }))).toEqual(["bessie", "rufus"]);
    const direct = activate(book([bessie, delayed]), { messages: ["Rufus barks"] });
    expect(firedIds(direct)).toEqual([]);
    expect(reasonOf(direct, "rufus")).toBe("delayed_until_recursion");
  });

  it("stops at the step limit (1 turns recursion off, 2 allows one level)", () => {
    const kennel = entry({ id: "kennel", keys: ["dog"], content: "The kennel is warm." });
    const books = book([bessie, rufus, kennel]);
    expect(firedIds(activate(books, { messages: ["Bessie"], limits: { maxRecursionSteps: 1 } }))).toEqual(["bessie"]);
    expect(firedIds(activate(books, { messages: ["Bessie"], limits: { maxRecursionSteps: 2 } }))).toEqual(["bessie", "rufus"]);
  });

  it("scans the messages as well as the recursion buffer in later sweeps (secondary logic sees both)", () => {
    const collar = entry({ id: "collar", keys: ["Rufus"], secondaryKeys: ["collar"], content: "Rufus wears a red collar." });
    expect(firedIds(activate(book([bessie, collar]), { messages: ["Bessie has a collar"] }))).toEqual(["bessie", "collar"]);
  });

  it("finds a several-word key in content added by a later sweep", () => {
    const collar = entry({ id: "collar", keys: ["red collar"], content: "The collar has a bell." });
    const dressed = { ...rufus, content: "Rufus is a dog with a red collar." };
    expect(activate(book([bessie, dressed, collar]), { messages: ["Bessie"] }).entries.map((inserted) => [inserted.entryId, inserted.step])).toEqual([
      ["bessie", 1],
      ["rufus", 2],
      ["collar", 3],
    ]);
  });

  it("never matches a key across two messages (a line break and \\x01 lie between them)", () => {
    const books = book([entry({ id: "pair", keys: ["dog kennel"] })]);
    expect(firedIds(activate(books, { messages: ["kennel", "a dog"] }))).toEqual([]);
    expect(firedIds(activate(books, { messages: ["a dog kennel"] }))).toEqual(["pair"]);
  });
});

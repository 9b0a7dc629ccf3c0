import { describe, expect, it } from "vitest";
import { parseDecorators } from "../../workers/lore/decorators";
import { activate, book, entry, firedIds, reasonOf } from "./lore.fixtures";

describe("decorator parsing", () => {
  it("takes @@ lines off the top of the content, with the blank lines after them", () => {
    expect(parseDecorators("@@depth 2\n@@role assistant\n\nThe keep has four towers.")).toEqual({
      decorators: [
        { name: "depth", value: "2" },
        { name: "role", value: "assistant" },
      ],
      ignored: [],
      content: "The keep has four towers.",
    });
  });

  it("leaves content that does not start with a decorator as it is", () => {
    const content = "Write to me @@ home.\n@@depth 2";
    expect(parseDecorators(content)).toEqual({ decorators: [], ignored: [], content });
  });

  it("removes unknown decorators from the content and reports them as ignored", () => {
    expect(parseDecorators("@@risu_only 4\n@@is_greeting 1\nText")).toEqual({ decorators: [], ignored: ["@@risu_only 4", "@@is_greeting 1"], content: "Text" });
  });

  it("uses a @@@ fallback only when the decorator before it is not recognized", () => {
    expect(parseDecorators("@@risu_only 4\n@@@depth 5\nText").decorators).toEqual([{ name: "depth", value: "5" }]);
    expect(parseDecorators("@@depth 3\n@@@depth 7\nText").decorators).toEqual([{ name: "depth", value: "3" }]);
    expect(parseDecorators("@@a 1\n@@@b 2\n@@@scan_depth 6\nText").decorators).toEqual([{ name: "scan_depth", value: "6" }]);
  });

  it("ignores a decorator with an invalid value (and then looks at its fallback)", () => {
    expect(parseDecorators("@@depth deep\n@@@depth 1\nText").decorators).toEqual([{ name: "depth", value: "1" }]);
    expect(parseDecorators("@@role narrator\nText").ignored).toEqual(["@@role narrator"]);
  });

  it("counts only the first of several decorators with one name", () => {
    expect(parseDecorators("@@depth 1\n@@depth 9\nText").decorators).toEqual([{ name: "depth", value: "1" }]);
  });
});

describe("decorators in activation", () => {
  it("@@activate fires the entry whatever its keys, and the decorator lines stay out of the prompt", () => {
    const result = activate(book([entry({ id: "a", keys: ["never"], content: "@@activate\nAlways here." })]));
    expect(result.entries).toMatchObject([{ entryId: "a", content: "Always here.", trigger: "decorator", matchedKey: null, tokens: 2 }]);
  });

  it("@@dont_activate keeps a matching entry out, unless @@activate is there too", () => {
    const blocked = activate(book([entry({ id: "a", keys: ["x"], content: "@@dont_activate\nText" })]), { messages: ["x"] });
    expect(firedIds(blocked)).toEqual([]);
    expect(blocked.considered[0]).toMatchObject({ reason: "decorator", detail: "@@dont_activate" });
    expect(firedIds(activate(book([entry({ id: "a", content: "@@dont_activate\n@@activate\nText" })])))).toEqual(["a"]);
  });

  it("@@depth N puts the entry at depth N; @@role gives its role", () => {
    const result = activate(book([entry({ id: "a", constant: true, content: "@@depth 2\n@@role assistant\nText" })]));
    expect(result.entries[0]).toMatchObject({ position: "at_depth", depth: 2, role: "assistant" });
  });

  it("@@position places the entry (before_desc / after_desc) and wins over @@depth", () => {
    const result = activate(book([entry({ id: "a", constant: true, content: "@@position after_desc\n@@depth 3\nText" })]));
    expect(result.entries[0]).toMatchObject({ position: "after_char", depth: 4 });
  });

  it("@@scan_depth N scans N messages whatever the book says", () => {
    const books = book([entry({ id: "a", keys: ["dragon"], content: "@@scan_depth 3\nText" })], { scanDepth: 1 });
    expect(firedIds(activate(books, { messages: ["a dragon", "hm", "go on"] }))).toEqual(["a"]);
  });

  it("@@activate_only_after N waits for N character messages on the branch", () => {
    const books = book([entry({ id: "a", constant: true, content: "@@activate_only_after 3\nText" })]);
    expect(reasonOf(activate(books, { assistantMessageCount: 2 }), "a")).toBe("decorator");
    expect(firedIds(activate(books, { assistantMessageCount: 3 }))).toEqual(["a"]);
  });

  it("@@activate_only_every N fires only when the character message count is a multiple of N", () => {
    const books = book([entry({ id: "a", constant: true, content: "@@activate_only_every 2\nText" })]);
    expect([1, 2, 3, 4].map((count) => firedIds(activate(books, { assistantMessageCount: count })).length)).toEqual([0, 1, 0, 1]);
  });

  it("@@exclude_keys keeps the entry out when one of them is present", () => {
    const books = book([entry({ id: "a", keys: ["sword"], content: "@@exclude_keys rust, broken\nText" })]);
    expect(firedIds(activate(books, { messages: ["a shiny sword"] }))).toEqual(["a"]);
    expect(activate(books, { messages: ["a broken sword"] }).considered[0]).toMatchObject({ reason: "decorator", detail: "@@exclude_keys: one is present" });
  });

  it("@@additional_keys needs one of them as well as a primary key", () => {
    const books = book([entry({ id: "a", keys: ["sword"], content: "@@additional_keys fire, ice\nText" })]);
    expect(firedIds(activate(books, { messages: ["a sword"] }))).toEqual([]);
    expect(firedIds(activate(books, { messages: ["a sword of ice"] }))).toEqual(["a"]);
  });

  it("@@ignore_on_max_context is cut first when over budget, whatever its priority", () => {
    const books = book([
      entry({ id: "optional", constant: true, priority: 1000, content: "@@ignore_on_max_context\none two three" }),
      entry({ id: "needed", keys: ["x"], priority: 1, content: "four five six" }),
    ]);
    const result = activate(books, { messages: ["x"], tokenBudget: 4 });
    expect(firedIds(result)).toEqual(["needed"]);
    expect(reasonOf(result, "optional")).toBe("budget");
  });

  it("@@keep_activate_after_match keeps firing, and @@dont_activate_after_match stops firing, once matched on the branch", () => {
    const books = book([
      entry({ id: "keep", keys: ["oath"], content: "@@keep_activate_after_match\nThe oath binds." }),
      entry({ id: "once", keys: ["oath"], content: "@@dont_activate_after_match\nFirst oath." }),
    ]);
    const first = activate(books, { messages: ["I swear an oath"], messageIndex: 1 });
    expect(firedIds(first).sort()).toEqual(["keep", "once"]);
    const later = activate(books, { messages: ["oath, again"], messageIndex: 3, timeline: [first.timeline] });
    expect(firedIds(later)).toEqual(["keep"]);
    expect(reasonOf(later, "once")).toBe("decorator");
    const quiet = activate(books, { messages: ["nothing"], messageIndex: 5, timeline: [first.timeline, later.timeline] });
    expect(quiet.entries).toMatchObject([{ entryId: "keep", trigger: "decorator" }]);
  });

  it("reports ignored decorators among the entry's warnings", () => {
    const result = activate(book([entry({ id: "a", constant: true, content: "@@instruct_depth 3\nText" })]));
    expect(result.considered[0]?.warnings).toEqual(['decorator "@@instruct_depth 3" ignored']);
    expect(result.entries[0]?.content).toBe("Text");
  });
});

import { describe, expect, it } from "vitest";
import { activate, book, entry, firedIds, reasonOf } from "./lore.fixtures";

// The test token counter counts words: each `words(n)` content costs n tokens.
const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(" ");

describe("token budget and priority", () => {
  it("keeps everything that fits, and reports the tokens used", () => {
    const result = activate(book([entry({ id: "a", keys: ["x"], content: words(3) }), entry({ id: "b", keys: ["x"], content: words(4) })]), {
      messages: ["x"],
      tokenBudget: 7,
    });
    expect(firedIds(result).sort()).toEqual(["a", "b"]);
    expect(result.tokens).toEqual({ used: 7, budget: 7 });
    expect(result.entries.map((inserted) => inserted.tokens).sort()).toEqual([3, 4]);
  });

  it("drops the lower priority first when over budget, and says it was the budget", () => {
    const books = book([entry({ id: "low", keys: ["x"], priority: 1, content: words(5) }), entry({ id: "high", keys: ["x"], priority: 9, content: words(5) })]);
    const result = activate(books, { messages: ["x"], tokenBudget: 8 });
    expect(firedIds(result)).toEqual(["high"]);
    expect(reasonOf(result, "low")).toBe("budget");
  });

  it("uses the insertion order as priority when an entry has none", () => {
    const books = book([
      entry({ id: "early", keys: ["x"], insertionOrder: 10, content: words(5) }),
      entry({ id: "late", keys: ["x"], insertionOrder: 50, content: words(5) }),
    ]);
    expect(firedIds(activate(books, { messages: ["x"], tokenBudget: 8 }))).toEqual(["late"]);
  });

  it("counts constant entries against the budget and admits them first", () => {
    const books = book([
      entry({ id: "always", constant: true, priority: 0, content: words(6) }),
      entry({ id: "keyed", keys: ["x"], priority: 100, content: words(3) }),
    ]);
    const result = activate(books, { messages: ["x"], tokenBudget: 8 });
    expect(firedIds(result)).toEqual(["always"]);
    expect(reasonOf(result, "keyed")).toBe("budget");
  });

  it("stops at the first entry that does not fit, as SillyTavern does, even if a smaller one would", () => {
    const books = book([
      entry({ id: "big", keys: ["x"], priority: 9, content: words(6) }),
      entry({ id: "huge", keys: ["x"], priority: 5, content: words(10) }),
      entry({ id: "tiny", keys: ["x"], priority: 1, content: words(1) }),
    ]);
    const result = activate(books, { messages: ["x"], tokenBudget: 8 });
    expect(firedIds(result)).toEqual(["big"]);
    expect([reasonOf(result, "huge"), reasonOf(result, "tiny")]).toEqual(["budget", "budget"]);
  });

  it("admits entries matched in the messages before those matched through recursion, and stops recursing when over", () => {
    const books = book([
      entry({ id: "direct", keys: ["x"], priority: 1, content: `${words(4)} y` }),
      entry({ id: "recursed", keys: ["y"], priority: 100, content: words(4) }),
    ]);
    const result = activate(books, { messages: ["x"], tokenBudget: 6 });
    expect(firedIds(result)).toEqual(["direct"]);
    expect(reasonOf(result, "recursed")).toBe("budget");
  });

  it("caps a book's entries with the book's own token budget, other books going on", () => {
    const result = activate(
      [
        book([entry({ id: "a1", keys: ["x"], priority: 2, content: words(3) }), entry({ id: "a2", keys: ["x"], priority: 1, content: words(3) })], {
          id: "capped",
          tokenBudget: 4,
        }),
        book([entry({ id: "b1", keys: ["x"], priority: 0, content: words(3) })], { id: "free" }),
      ],
      { messages: ["x"], tokenBudget: 100 },
    );
    expect(firedIds(result).sort()).toEqual(["a1", "b1"]);
    expect(result.considered.find((item) => item.entryId === "a2")).toMatchObject({ reason: "budget", detail: "over its book's token budget of 4" });
  });

  it("puts nothing in with a budget of 0", () => {
    const result = activate(book([entry({ id: "a", constant: true })]), { tokenBudget: 0 });
    expect(firedIds(result)).toEqual([]);
    expect(reasonOf(result, "a")).toBe("budget");
  });
});

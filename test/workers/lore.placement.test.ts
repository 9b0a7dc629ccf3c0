import { describe, expect, it } from "vitest";
import { activate, book, entry } from "./lore.fixtures";

describe("insertion order", () => {
  it("orders entries at one position by insertion order, the highest closest to the end", () => {
    const books = book([
      entry({ id: "late", constant: true, insertionOrder: 300 }),
      entry({ id: "early", constant: true, insertionOrder: 5 }),
      entry({ id: "mid", constant: true }),
    ]);
    expect(activate(books).entries.map((inserted) => [inserted.entryId, inserted.insertionOrder])).toEqual([
      ["early", 5],
      ["mid", 100],
      ["late", 300],
    ]);
  });

  it("breaks ties by book order, then entry order", () => {
    const result = activate([book([entry({ id: "b", constant: true })], { id: "first" }), book([entry({ id: "a", constant: true })], { id: "second" })]);
    expect(result.entries.map((inserted) => inserted.bookId)).toEqual(["first", "second"]);
  });
});

describe("positions", () => {
  it("keeps each entry's position, depth and role, and lists them in prompt order", () => {
    const books = book([
      entry({ id: "deep", constant: true, position: "at_depth", depth: 6, role: "user" }),
      entry({ id: "shallow", constant: true, position: "at_depth", depth: 0, role: "assistant" }),
      entry({ id: "after", constant: true, position: "after_char" }),
      entry({ id: "note-top", constant: true, position: "an_top" }),
      entry({ id: "note-bottom", constant: true, position: "an_bottom" }),
      entry({ id: "examples-top", constant: true, position: "em_top" }),
      entry({ id: "examples-bottom", constant: true, position: "em_bottom" }),
      entry({ id: "before", constant: true, position: "before_char" }),
    ]);
    expect(activate(books).entries.map(({ entryId, position, depth, role }) => [entryId, position, depth, role])).toEqual([
      ["before", "before_char", 4, "system"],
      ["after", "after_char", 4, "system"],
      ["examples-top", "em_top", 4, "system"],
      ["examples-bottom", "em_bottom", 4, "system"],
      ["note-top", "an_top", 4, "system"],
      ["note-bottom", "an_bottom", 4, "system"],
      ["deep", "at_depth", 6, "user"],
      ["shallow", "at_depth", 0, "assistant"],
    ]);
  });

  it("carries the entry's name and content as they go into the prompt", () => {
    const books = book([entry({ id: "a", name: "The Keep", constant: true, content: "The keep has four towers." })]);
    expect(activate(books).entries[0]).toMatchObject({ bookId: "book", entryId: "a", name: "The Keep", content: "The keep has four towers.", tokens: 5 });
  });
});

import { describe, expect, it } from "vitest";
import type { ActivationResult, LoreTimelineRecord } from "../../workers/lore/activation-types";
import type { LoreBook } from "../../workers/lore/types";
import { activate, book, entry, firedIds, reasonOf } from "./lore.fixtures";

/**
 * Runs turns along one branch, each turn's record going into the timeline as a reply's metadata
 * would: `turns[i]` is the newest message's text at message index `indexes[i]`.
 */
function branch(books: LoreBook, turns: Array<{ index: number; text: string; rng?: () => number }>, timeline: LoreTimelineRecord[] = []) {
  const results: ActivationResult[] = [];
  for (const turn of turns) {
    const result = activate(books, { messages: [turn.text], messageIndex: turn.index, timeline: [...timeline], ...(turn.rng ? { rng: turn.rng } : {}) });
    timeline.push(result.timeline);
    results.push(result);
  }
  return { results, timeline };
}

/** What happened to entry `id` on each turn: how it fired, or why not. */
const story = (results: ActivationResult[], id: string) =>
  results.map((result) => result.entries.find((inserted) => inserted.entryId === id)?.trigger ?? reasonOf(result, id));

describe("sticky", () => {
  it("keeps an entry in the prompt for N messages after it fired, without its key", () => {
    const books = book([entry({ id: "storm", keys: ["storm"], sticky: 3 })]);
    const { results } = branch(books, [
      { index: 1, text: "a storm rolls in" },
      { index: 3, text: "we take shelter" },
      { index: 5, text: "the sun is out" },
    ]);
    expect(story(results, "storm")).toEqual(["key", "sticky", "no_key_match"]);
    expect(results[1]?.entries[0]?.matchedKey).toBeNull();
  });

  it("does not roll the probability again while sticky", () => {
    const books = book([entry({ id: "omen", keys: ["omen"], sticky: 4, probability: 50 })]);
    const { results } = branch(books, [
      { index: 1, text: "an omen", rng: () => 0 },
      { index: 3, text: "nothing", rng: () => 0.99 },
    ]);
    expect(story(results, "omen")).toEqual(["key", "sticky"]);
  });

  it("does not lengthen the window when the key comes again", () => {
    const books = book([entry({ id: "storm", keys: ["storm"], sticky: 3 })]);
    const { results } = branch(books, [
      { index: 1, text: "storm" },
      { index: 3, text: "storm again" },
      { index: 5, text: "calm" },
    ]);
    expect(story(results, "storm")).toEqual(["key", "sticky", "no_key_match"]);
  });

  it("keeps its inclusion group: a sticky member stays and the others lose", () => {
    const books = book([entry({ id: "sun", keys: ["sun"], group: "sky", sticky: 5 }), entry({ id: "moon", keys: ["moon"], group: "sky" })]);
    const { results } = branch(books, [
      { index: 1, text: "the sun" },
      { index: 3, text: "the moon" },
    ]);
    expect(firedIds(results[1]!)).toEqual(["sun"]);
    expect(reasonOf(results[1]!, "moon")).toBe("group_lost");
  });
});

describe("cooldown", () => {
  it("keeps an entry out for N messages after it fired", () => {
    const books = book([entry({ id: "ambush", keys: ["road"], cooldown: 4 })]);
    const { results } = branch(books, [
      { index: 1, text: "on the road" },
      { index: 3, text: "still on the road" },
      { index: 5, text: "the road again" },
    ]);
    expect(story(results, "ambush")).toEqual(["key", "cooldown", "key"]);
  });

  it("holds for constant entries too", () => {
    const books = book([entry({ id: "tick", constant: true, cooldown: 2 })]);
    const { results } = branch(books, [
      { index: 1, text: "." },
      { index: 2, text: "." },
      { index: 3, text: "." },
    ]);
    expect(story(results, "tick")).toEqual(["constant", "cooldown", "constant"]);
  });
});

describe("delay", () => {
  it("keeps an entry out until the branch holds N messages, the new one included", () => {
    const books = book([entry({ id: "late", constant: true, delay: 4 })]);
    const { results } = branch(books, [
      { index: 2, text: "." },
      { index: 3, text: "." },
    ]);
    expect(story(results, "late")).toEqual(["delay", "constant"]);
  });
});

describe("sticky, cooldown and delay together", () => {
  it("follows SillyTavern's count one message at a time (sticky 3, cooldown 2, delay 2)", () => {
    const books = book([entry({ id: "e", keys: ["key"], sticky: 3, cooldown: 2, delay: 2 })]);
    const { results } = branch(
      books,
      Array.from({ length: 8 }, (_, index) => ({ index, text: "key" })),
    );
    // Sticky counts the message it fired on; the cooldown starts when the sticky window ends.
    expect(story(results, "e")).toEqual(["delay", "key", "sticky", "sticky", "cooldown", "cooldown", "key", "sticky"]);
  });
});

describe("timed effects along branches", () => {
  const books = book([entry({ id: "storm", keys: ["storm"], sticky: 5 })]);

  it("stores the windows in force in each turn's record", () => {
    const { timeline } = branch(books, [{ index: 1, text: "storm" }]);
    expect(timeline[0]).toEqual({
      messageIndex: 1,
      activations: [{ bookId: "book", entryId: "storm" }],
      effects: [{ bookId: "book", entryId: "storm", type: "sticky", start: 1, end: 6 }],
      matched: [],
    });
  });

  it("regenerating a reply starts from the records above it, not from the reply it replaces", () => {
    const { timeline } = branch(books, [
      { index: 1, text: "calm" },
      { index: 3, text: "a storm" },
    ]);
    // Regenerate the reply at index 3 with a message that no longer mentions the storm: the record of
    // index 3 (the replaced reply's) is ignored, so the storm is not sticky.
    const again = activate(books, { messages: ["calm"], messageIndex: 3, timeline });
    expect(firedIds(again)).toEqual([]);
  });

  it("an edited branch sees only its own replies' records", () => {
    const original = branch(books, [{ index: 1, text: "storm" }]).timeline;
    const edited = branch(books, [{ index: 1, text: "calm" }]).timeline;
    expect(firedIds(activate(books, { messages: ["later"], messageIndex: 3, timeline: original }))).toEqual(["storm"]);
    expect(firedIds(activate(books, { messages: ["later"], messageIndex: 3, timeline: edited }))).toEqual([]);
  });

  it("uses the latest earlier record, so a reply stored without one does not lose the state", () => {
    const { timeline } = branch(books, [{ index: 1, text: "storm" }]);
    expect(firedIds(activate(books, { messages: ["later"], messageIndex: 5, timeline }))).toEqual(["storm"]);
  });

  it("keeps a window of an entry not in this turn's books until it passes, and drops one of an entry no longer sticky", () => {
    const foreign = { bookId: "other", entryId: "x", type: "sticky" as const, start: 1, end: 9 };
    const stale = { bookId: "book", entryId: "storm", type: "sticky" as const, start: 1, end: 9 };
    const timeline = [{ messageIndex: 1, activations: [], effects: [foreign, stale], matched: [] }];
    const notSticky = book([entry({ id: "storm", keys: ["storm"] })]);
    const result = activate(notSticky, { messages: ["later"], messageIndex: 3, timeline });
    expect(firedIds(result)).toEqual([]);
    expect(result.timeline.effects).toEqual([foreign]);
  });
});

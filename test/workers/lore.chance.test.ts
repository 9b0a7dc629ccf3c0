import { describe, expect, it } from "vitest";
import { seededRng } from "../../workers/lore/rng";
import { activate, book, entry, firedIds, reasonOf } from "./lore.fixtures";

const seeds = (count: number) => Array.from({ length: count }, (_, i) => seededRng(`seed-${i}`));

describe("probability", () => {
  it("never inserts an entry at 0% and always at 100%", () => {
    const books = book([entry({ id: "never", constant: true, probability: 0 }), entry({ id: "always", constant: true, probability: 100 })]);
    for (const rng of seeds(20)) expect(firedIds(activate(books, { rng }))).toEqual(["always"]);
  });

  it("does not roll when the entry does not use probability", () => {
    const books = book([entry({ id: "a", constant: true, probability: 0, useProbability: false })]);
    expect(firedIds(activate(books))).toEqual(["a"]);
  });

  it("rolls with the injected generator: the same seed gives the same outcome, and 50% fires about half the time", () => {
    const books = book([entry({ id: "coin", keys: ["flip"], probability: 50 })]);
    const outcome = (seed: string) => firedIds(activate(books, { messages: ["flip"], rng: seededRng(seed) })).length;
    expect(outcome("same")).toBe(outcome("same"));
    const fired = Array.from({ length: 400 }, (_, i) => outcome(`run-${i}`)).reduce((sum, n) => sum + n, 0);
    expect(fired).toBeGreaterThan(150);
    expect(fired).toBeLessThan(250);
  });

  it("says the roll was lost", () => {
    const result = activate(book([entry({ id: "coin", constant: true, probability: 30 })]), { rng: () => 0.9 });
    expect(result.considered[0]).toMatchObject({ reason: "probability", detail: "lost its 30% roll" });
  });

  it("applies to constant entries too", () => {
    expect(firedIds(activate(book([entry({ id: "c", constant: true, probability: 10 })]), { rng: () => 0.5 }))).toEqual([]);
  });
});

describe("inclusion groups", () => {
  const weather = (id: string, fields = {}) => entry({ id, keys: ["weather"], group: "weather", ...fields });

  it("puts one entry of a group in the prompt, the others losing the draw", () => {
    const result = activate(book([weather("sun"), weather("rain"), weather("snow")]), { messages: ["how is the weather"] });
    expect(result.entries).toHaveLength(1);
    const losers = result.considered.filter((item) => !item.fired);
    expect(losers.map((item) => item.reason)).toEqual(["group_lost", "group_lost"]);
    expect(losers[0]?.detail).toBe('group "weather" drew another entry');
  });

  it("draws by group weight, reproducibly for a seed", () => {
    const books = book([weather("rare", { groupWeight: 25 }), weather("common", { groupWeight: 75 }), weather("never", { groupWeight: 0 })]);
    const winner = (rng: () => number) => firedIds(activate(books, { messages: ["weather"], rng }))[0];
    expect(winner(seededRng("x"))).toBe(winner(seededRng("x")));
    const wins = seeds(400).map(winner);
    const common = wins.filter((id) => id === "common").length;
    expect(wins).not.toContain("never");
    expect(common).toBeGreaterThan(260);
    expect(common).toBeLessThan(340);
  });

  it("gives the group to a prioritized entry (groupOverride), the highest insertion order first", () => {
    const books = book([
      weather("plain", { insertionOrder: 900 }),
      weather("low", { groupOverride: true, insertionOrder: 10 }),
      weather("top", { groupOverride: true, insertionOrder: 20 }),
    ]);
    for (const rng of seeds(10)) expect(firedIds(activate(books, { messages: ["weather"], rng }))).toEqual(["top"]);
  });

  it("leaves an entry alone in its group untouched, and groups apart do not compete", () => {
    const books = book([weather("sun"), entry({ id: "moon", keys: ["weather"], group: "night" })]);
    expect(firedIds(activate(books, { messages: ["weather"] })).sort()).toEqual(["moon", "sun"]);
  });

  it("takes an entry out when it loses any of its groups", () => {
    const books = book([
      entry({ id: "both", keys: ["x"], group: "a, b", groupOverride: false, insertionOrder: 1 }),
      entry({ id: "a-winner", keys: ["x"], group: "a", groupOverride: true }),
    ]);
    const result = activate(books, { messages: ["x"] });
    expect(firedIds(result)).toEqual(["a-winner"]);
    expect(reasonOf(result, "both")).toBe("group_lost");
  });

  it("keeps a group that already has an entry in the prompt closed to entries found through recursion", () => {
    const books = book([
      entry({ id: "sun", keys: ["weather"], group: "weather", content: "It is sunny, no rain." }),
      entry({ id: "rain", keys: ["rain"], group: "weather" }),
    ]);
    const result = activate(books, { messages: ["weather"] });
    expect(firedIds(result)).toEqual(["sun"]);
    expect(result.considered.find((item) => item.entryId === "rain")).toMatchObject({
      reason: "group_lost",
      detail: 'group "weather" already has an entry in the prompt',
    });
  });

  it("with group scoring, keeps only the members with the most key matches (SillyTavern's song example)", () => {
    const books = book([
      entry({ id: "black-cat", keys: ["song", "sing", "Black Cat"], group: "songs" }),
      entry({ id: "ghosts", keys: ["song", "sing", "Ghosts"], group: "songs" }),
    ]);
    for (const rng of seeds(10)) {
      expect(firedIds(activate(books, { messages: ["sing me a song about Ghosts"], rng, limits: { useGroupScoring: true } }))).toEqual(["ghosts"]);
    }
    const plain = new Set(seeds(40).map((rng) => firedIds(activate(books, { messages: ["sing me a song"], rng, limits: { useGroupScoring: true } }))[0]));
    expect(plain).toEqual(new Set(["black-cat", "ghosts"]));
  });
});

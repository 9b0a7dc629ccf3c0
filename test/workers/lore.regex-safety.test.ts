import { describe, expect, it } from "vitest";
import { backtrackingRisk, requiredLiteral } from "../../workers/lore/regex-keys";
import { activate, book, entry, firedIds, reasonOf } from "./lore.fixtures";

describe("regex keys that could hang a turn", () => {
  it("refuses nested repetition such as (a+)+ and reports it on the entry; the turn goes on", () => {
    const books = book([entry({ id: "evil", keys: ["/(a+)+$/"] }), entry({ id: "fine", keys: ["aaa"], matchWholeWords: false })]);
    const result = activate(books, { messages: [`${"a".repeat(40)}!`] });
    expect(firedIds(result)).toEqual(["fine"]);
    expect(reasonOf(result, "evil")).toBe("regex_error");
    expect(result.considered[0]?.warnings[0]).toContain("can backtrack catastrophically");
  });

  it("recognizes the risky shapes and lets ordinary patterns through", () => {
    for (const risky of ["(a+)+", "(\\w+\\s?)*", "((x|y)+z){2,}", "(?:a*b?)+c", "(\\d{1,3}\\.?)+"]) expect(backtrackingRisk(risky), risky).not.toBeNull();
    for (const fine of ["(ab)+", "\\d+(?:px)?", "[a+]+", "dra(ke|gon)s?", "(\\w+) (\\w+)", "a{2}(b)+"]) expect(backtrackingRisk(fine), fine).toBeNull();
  });

  it("refuses a regex key longer than the limit", () => {
    const long = `/${"x".repeat(400)}/`;
    const result = activate(book([entry({ id: "long", keys: [long] })]), { messages: ["x"] });
    expect(reasonOf(result, "long")).toBe("regex_error");
    expect(result.considered[0]?.warnings[0]).toContain("longer than 300 characters");
  });

  it("tests a regex against at most maxRegexInputChars of the scanned text, newest first", () => {
    const books = book([entry({ id: "old", keys: ["/treasure/"] }), entry({ id: "plain", keys: ["treasure"] })]);
    const messages = ["the treasure is buried", "where?"];
    const result = activate(books, { messages, limits: { maxRegexInputChars: 12 } });
    expect(firedIds(result)).toEqual(["plain"]);
    expect(firedIds(activate(books, { messages })).sort()).toEqual(["old", "plain"]);
  });

  it("stops running regex keys past the per-activation test budget, and reports the rest as skipped", () => {
    // Groups first: no required leading text, so every key is really run.
    const keys = (i: number) => [`/(?:nothing)${i}/`, `/(?:topic)${i}/`];
    const books = book(
      Array.from({ length: 5 }, (_, i) => entry({ id: `r${i}`, keys: keys(i) })),
      { recursiveScanning: false },
    );
    const result = activate(books, { messages: ["topic0 topic1 topic2 topic3 topic4"], limits: { maxRegexTests: 3 } });
    // r0 takes two tests and fires; r1's first key takes the last; its second and the 6 keys after it are skipped.
    expect(result.regex).toEqual({ tests: 3, skipped: 7, exhausted: true });
    expect(firedIds(result)).toEqual(["r0"]);
    expect(result.considered.slice(1).map((item) => item.reason)).toEqual(["regex_skipped", "regex_skipped", "regex_skipped", "regex_skipped"]);
  });

  it("stops running regex keys past the time budget of an injected clock", () => {
    let clock = 0;
    const now = () => {
      clock += 10;
      return clock;
    };
    const books = book(Array.from({ length: 5 }, (_, i) => entry({ id: `r${i}`, keys: [`/topic${i}/`] })));
    const result = activate(books, { messages: ["topic0 topic1 topic2 topic3 topic4"], now, limits: { maxRegexMillis: 25 } });
    expect(result.regex.exhausted).toBe(true);
    expect(firedIds(result).length).toBeLessThan(5);
    expect(result.considered.some((item) => item.reason === "regex_skipped")).toBe(true);
  });

  it("never throws on a malformed key, and a good key of the same entry still fires it", () => {
    const books = book([entry({ id: "mixed", keys: ["/[unclosed/", "/dragon/"] })]);
    const result = activate(books, { messages: ["a dragon"] });
    expect(result.entries).toMatchObject([{ entryId: "mixed", matchedKey: "/dragon/" }]);
    expect(result.considered[0]?.warnings).toHaveLength(1);
  });

  it("skips running a regex whose required leading text is absent, without changing what matches", () => {
    expect(requiredLiteral("dra(ke|gon)s?", "i")).toBe("dra");
    expect(requiredLiteral("colou?r", "")).toBe("colo");
    expect(requiredLiteral("Elara+", "")).toBe("Elara");
    expect(requiredLiteral("hello World", "i")).toBe("hello world");
    expect(requiredLiteral("ab|cde", "")).toBeNull();
    expect(requiredLiteral("x{0,1}yz", "")).toBeNull();
    expect(requiredLiteral("Kelvin", "iu")).toBeNull();
    const books = book([entry({ id: "elara", keys: ["/Elara(s|'s)?\\b/i"] })]);
    expect(firedIds(activate(books, { messages: ["ELARA'S sword"] }))).toEqual(["elara"]);
    const absent = activate(books, { messages: ["no one here"] });
    expect(firedIds(absent)).toEqual([]);
    expect(absent.regex.tests).toBe(0);
  });
});

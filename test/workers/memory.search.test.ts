import { describe, expect, it } from "vitest";
import { ftsQuery, MAX_FTS_TERMS } from "../../workers/memory/search/fts-query";
import { fuseRankings, topK, type ScoredId } from "../../workers/memory/search/fuse";
import { dot, fromBlob, normalize, toBlob } from "../../workers/memory/search/vectors";
import { env } from "../support/env";

/** A seeded generator (mulberry32), so a failure here can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("reciprocal-rank fusion", () => {
  it("ranks an item high in both lists above items high in one", () => {
    const vector = [
      { id: "a", score: 0.95 },
      { id: "both", score: 0.9 },
      { id: "c", score: 0.5 },
    ];
    const text = [
      { id: "d", score: 12 },
      { id: "both", score: 11 },
      { id: "e", score: 3 },
    ];
    const fused = fuseRankings(vector, text);
    expect(fused[0]).toEqual({ id: "both", score: 2 / 62, vectorScore: 0.9, textScore: 11 });
    expect(fused.map((hit) => hit.id)).toEqual(["both", "a", "d", "c", "e"]);
    expect(fused.find((hit) => hit.id === "a")).toEqual({ id: "a", score: 1 / 61, vectorScore: 0.95, textScore: null });
  });

  it("ranks each list by its own scores, whatever order it comes in, and counts a repeated id once", () => {
    const fused = fuseRankings(
      [
        { id: "low", score: 0.1 },
        { id: "high", score: 0.9 },
        { id: "high", score: 0.2 },
      ],
      [],
      1,
    );
    expect(fused).toEqual([
      { id: "high", score: 1 / 2, vectorScore: 0.9, textScore: null },
      { id: "low", score: 1 / 3, vectorScore: 0.1, textScore: null },
    ]);
  });

  it("works with either list empty, or both", () => {
    expect(fuseRankings([], [{ id: "x", score: 1 }])).toEqual([{ id: "x", score: 1 / 61, vectorScore: null, textScore: 1 }]);
    expect(fuseRankings([{ id: "x", score: 0.3 }], [])).toEqual([{ id: "x", score: 1 / 61, vectorScore: 0.3, textScore: null }]);
    expect(fuseRankings([], [])).toEqual([]);
  });

  it("breaks ties by id, whatever the input order", () => {
    // "m" is first in one list and second in the other, "b" the reverse: equal fused scores.
    const one = fuseRankings(
      [
        { id: "m", score: 0.9 },
        { id: "b", score: 0.8 },
      ],
      [
        { id: "b", score: 5 },
        { id: "m", score: 4 },
      ],
    );
    const other = fuseRankings(
      [
        { id: "b", score: 0.8 },
        { id: "m", score: 0.9 },
      ],
      [
        { id: "m", score: 4 },
        { id: "b", score: 5 },
      ],
    );
    expect(one.map((hit) => hit.id)).toEqual(["b", "m"]);
    expect(other).toEqual(one);
    expect(
      fuseRankings(
        [
          { id: "z", score: 1 },
          { id: "y", score: 1 },
        ],
        [],
      ).map((hit) => hit.id),
    ).toEqual(["y", "z"]);
  });
});

describe("topK", () => {
  const fullSort = (items: ScoredId[], k: number) => [...items].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, k);

  it("gives what a full sort gives, on random data with ties", () => {
    const next = random(42);
    for (const [n, k] of [
      [10_000, 20],
      [1000, 1],
      [500, 500],
      [50, 80],
      [0, 5],
    ] as const) {
      // Scores rounded to 2 decimals, so many are equal and the id decides.
      const items = Array.from({ length: n }, (_, i) => ({ id: `m${Math.floor(next() * 1e9)}-${i}`, score: Math.round(next() * 100) / 100 }));
      expect(topK(items, k)).toEqual(fullSort(items, k));
    }
  });

  it("answers nothing for k <= 0, and keeps the caller's objects", () => {
    expect(topK([{ id: "a", score: 1 }], 0)).toEqual([]);
    const item = { id: "a", score: 1, extra: "kept" };
    expect(topK([item], 3)[0]).toBe(item);
  });
});

describe("vector blobs and cosine", () => {
  it("round-trips through a blob as little-endian Float32", () => {
    const v = Float32Array.from([1.5, -2.25, 0, 3.4028234663852886e38, 1e-45]);
    const blob = toBlob(v);
    expect(blob).toBeInstanceOf(Uint8Array);
    expect(blob.byteLength).toBe(20);
    expect(new DataView(blob.buffer).getFloat32(4, true)).toBe(-2.25);
    expect(Array.from(fromBlob(blob))).toEqual(Array.from(v));
    expect(Array.from(fromBlob(blob.slice().buffer))).toEqual(Array.from(v));
  });

  it("copies the blob, so changing the vector later does not change what was stored", () => {
    const v = Float32Array.from([1, 2]);
    const blob = toBlob(v);
    v[0] = 9;
    expect(fromBlob(blob)[0]).toBe(1);
  });

  it("reads a Uint8Array view at any byteOffset, aligned or not", () => {
    const v = Float32Array.from([0.1, 0.2, -0.3]);
    const bytes = toBlob(v);
    for (const offset of [1, 3, 4, 8]) {
      const backing = new Uint8Array(offset + bytes.byteLength + 5);
      backing.set(bytes, offset);
      const view = backing.subarray(offset, offset + bytes.byteLength);
      expect(Array.from(fromBlob(view))).toEqual(Array.from(v));
    }
    // A view into a bigger Float32Array, which toBlob must not read past.
    const big = Float32Array.from([7, 8, 9, 10]);
    expect(Array.from(fromBlob(toBlob(big.subarray(1, 3))))).toEqual([8, 9]);
  });

  it("refuses a blob whose length is not a whole number of floats", () => {
    expect(() => fromBlob(new Uint8Array(6))).toThrow(RangeError);
  });

  it("normalizes to unit length, and dot of unit vectors is their cosine", () => {
    const a = normalize(Float32Array.from([3, 4]));
    expect(Array.from(a)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(dot(a, a)).toBeCloseTo(1, 6);
    expect(dot(normalize(Float32Array.from([1, 0])), normalize(Float32Array.from([0, 5])))).toBe(0);
    expect(dot(normalize(Float32Array.from([1, 1])), normalize(Float32Array.from([-2, -2])))).toBeCloseTo(-1, 6);
    expect(Array.from(normalize(new Float32Array(3)))).toEqual([0, 0, 0]);
  });

  it("computes dot over lengths that are not multiples of 4, and refuses mismatched sizes", () => {
    const next = random(7);
    for (const n of [1, 2, 3, 5, 384, 1537]) {
      const a = Float32Array.from({ length: n }, () => next() - 0.5);
      const b = Float32Array.from({ length: n }, () => next() - 0.5);
      const expected = a.reduce((sum, x, i) => sum + x * b[i]!, 0);
      expect(dot(a, b)).toBeCloseTo(expected, 9);
    }
    expect(() => dot(new Float32Array(3), new Float32Array(4))).toThrow(RangeError);
  });
});

describe("FTS5 query from free text", () => {
  it("quotes each word and joins them with OR, leaving out stop words unless nothing else is left", () => {
    expect(ftsQuery("Where does Rex live?")).toBe('"Rex" OR "live"');
    expect(ftsQuery("rex REX Rex")).toBe('"rex"');
    expect(ftsQuery("who am I")).toBe('"who" OR "am" OR "I"');
  });

  it("turns operators and syntax into plain words, or drops them", () => {
    expect(ftsQuery('"')).toBeUndefined();
    expect(ftsQuery("AND")).toBe('"AND"');
    expect(ftsQuery("*")).toBeUndefined();
    expect(ftsQuery("NEAR(")).toBe('"NEAR"');
    expect(ftsQuery('dog* OR "cat" NOT -bird ^start col:value {a b} + ( )')).toBe('"dog" OR "cat" OR "bird" OR "start" OR "col" OR "value" OR "b"');
    expect(ftsQuery("  \n\t ")).toBeUndefined();
    expect(ftsQuery("")).toBeUndefined();
  });

  it("keeps letters and digits of any script, and no emoji", () => {
    expect(ftsQuery("🐶🐶 dog🐕Rex 🎉")).toBe('"dog" OR "Rex"');
    expect(ftsQuery("我的狗叫雷克斯。東京")).toBe('"我的狗叫雷克斯" OR "東京"');
    expect(ftsQuery("Müller café naïve 42")).toBe('"Müller" OR "café" OR "naïve" OR "42"');
    expect(ftsQuery("नमस्ते दुनिया")).toBe('"नमस्ते" OR "दुनिया"');
    expect(ftsQuery("Straße\u0000x")).toBe('"Straße" OR "x"');
  });

  it(`stops at ${MAX_FTS_TERMS} terms`, () => {
    const words = Array.from({ length: 100 }, (_, i) => `w${i}`);
    const query = ftsQuery(words.join(" "))!;
    expect(query.split(" OR ")).toHaveLength(MAX_FTS_TERMS);
    expect(query.startsWith('"w0" OR "w1"')).toBe(true);
  });

  it("never throws and never lets a quote through, on random hostile text", () => {
    const next = random(3);
    const alphabet = ['"', "'", "*", "(", ")", ":", "^", "-", "+", "NEAR", "AND", "OR", "NOT", "🐶", "雷", "a", " ", "\u0301", "\\", "\u{10FFFF}", "\uD800"];
    for (let round = 0; round < 500; round++) {
      const text = Array.from({ length: Math.floor(next() * 40) }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
      const query = ftsQuery(text);
      if (query === undefined) continue;
      for (const term of query.split(" OR ")) expect(term).toMatch(/^"[^"]+"$/);
    }
  });

  it("gives expressions SQLite's FTS5 accepts and ranks with BM25", async () => {
    // D1 is SQLite with FTS5, like a Durable Object's storage: a scratch table of our own.
    const table = `fts_query_check_${crypto.randomUUID().replaceAll("-", "")}`;
    await env.DB.exec(`CREATE VIRTUAL TABLE ${table} USING fts5(content)`);
    try {
      await env.DB.prepare(`INSERT INTO ${table} (content) VALUES (?), (?), (?)`)
        .bind("My dog is called Rex.", "I love my dog Rex and my cat.", "Quarterly tax filing deadline")
        .run();
      const search = (text: string) =>
        env.DB.prepare(`SELECT content FROM ${table} WHERE ${table} MATCH ? ORDER BY bm25(${table})`).bind(ftsQuery(text)).all<{ content: string }>();
      const hostile = ['"', "AND", "OR", "NOT", "*", "NEAR(", "NEAR(a b, 2)", "content:dog", "^dog", "dog*", "🐶", "我的狗", 'a"b', "(dog", "-", "+"];
      for (const text of hostile) if (ftsQuery(text) !== undefined) await search(text);
      const { results } = await search("my dog's cat?");
      expect(results[0]?.content).toBe("I love my dog Rex and my cat.");
      expect(results).toHaveLength(2);
    } finally {
      await env.DB.exec(`DROP TABLE ${table}`);
    }
  });
});

import { describe, expect, it } from "vitest";
import { extractionMessages, parseOperations, plannedChanges, type KnownFact } from "../../workers/memory/extraction";
import { fitMemory, type MemoryRecall } from "../../workers/memory/prompt-memory";
import { nextSummary, SUMMARY_STEP } from "../../workers/memory/summary";
import { mergeLists } from "../../workers/memory/merge-lists";
import { quantize, VectorIndex } from "../../workers/durable-objects/user-memory/vector-index";
import { normalize, dot } from "../../workers/memory/search/vectors";

const known: KnownFact[] = [
  { id: "mem_a", content: "My name is Sam.", pinned: false },
  { id: "mem_b", content: "I live in Oslo.", pinned: false },
  { id: "mem_c", content: "Sam is allergic to peanuts.", pinned: true },
];

describe("fact extraction", () => {
  it("shows the LLM the known facts under short ids and reads its operations back in ours", () => {
    const { messages, shortIds } = extractionMessages(known, { userText: "I moved to Bergen.", replyText: "Nice!", characterName: "Mira" });
    expect(messages[1]!.content).toContain("[f2] I live in Oslo.");
    expect(messages[1]!.content).toContain("User: I moved to Bergen.\nMira: Nice!");
    const parsed = parseOperations(
      'Sure:\n```json\n{"operations":[{"op":"UPDATE","id":"f2","content":"I live in Bergen."},{"op":"DELETE","id":"f9"},{"op":"ADD","content":"I have a cat."}]}\n```',
      shortIds,
    );
    // f9 names nothing: dropped.
    expect(parsed).toEqual({
      ok: true,
      operations: [
        { op: "UPDATE", id: "mem_b", content: "I live in Bergen." },
        { op: "ADD", content: "I have a cat." },
      ],
    });
  });

  it.each([
    ["prose", "Sure! Here are the facts: none really"],
    ["broken JSON", '{"operations": [{"op": "ADD", "content": }'],
    ["another shape", '{"facts": ["I like tea"]}'],
    ["an unknown op", '{"operations":[{"op":"MERGE","id":"f1"}]}'],
  ])("treats %s as garbage: no operation", (_, answer) => {
    const parsed = parseOperations(answer, new Map([["f1", "mem_a"]]));
    expect(parsed.ok).toBe(false);
  });

  it("applies ADD, UPDATE and DELETE against the known facts, without duplicates or changes to pinned facts", () => {
    expect(
      plannedChanges(known, [
        { op: "ADD", content: "my name is sam" }, // known already (case and the period do not count)
        { op: "ADD", content: "I have a cat." },
        { op: "ADD", content: "I have a cat" }, // the same ADD twice
        { op: "UPDATE", id: "mem_b", content: "I live in Bergen." },
        { op: "UPDATE", id: "mem_a", content: "My name is Sam" }, // changes nothing
        { op: "DELETE", id: "mem_c" }, // pinned: the app's
        { op: "DELETE", id: "mem_b" }, // updated already in this exchange
      ]),
    ).toEqual([
      { op: "ADD", content: "I have a cat." },
      { op: "UPDATE", id: "mem_b", content: "I live in Bergen." },
    ]);
  });
});

describe("rolling summaries", () => {
  const past = (n: number) =>
    Array.from({ length: n }, (_, i) => ({ id: `msg_${i}`, role: i % 2 ? ("assistant" as const) : ("user" as const), content: `text ${i}` }));
  const names = { user: "Sam", char: "Mira" };

  it("waits until enough messages have left the prompt, then covers them and anchors to the last", () => {
    expect(nextSummary({ sessionId: "s", dropped: past(SUMMARY_STEP - 1), names })).toBeUndefined();
    const job = nextSummary({ sessionId: "s", dropped: past(SUMMARY_STEP), names })!;
    expect(job.anchorId).toBe(`msg_${SUMMARY_STEP - 1}`);
    expect(job.messages[0]).toEqual({ name: "Sam", text: "text 0" });
    expect(job.messages[1]!.name).toBe("Mira");
  });

  it("continues the current summary from its anchor", () => {
    const dropped = past(10);
    const job = nextSummary({ sessionId: "s", dropped, current: { content: "Earlier.", anchorId: "msg_3" }, names })!;
    expect(job.previous).toBe("Earlier.");
    expect(job.sourceIds).toEqual(["msg_4", "msg_5", "msg_6", "msg_7", "msg_8", "msg_9"]);
    expect(nextSummary({ sessionId: "s", dropped, current: { content: "Earlier.", anchorId: "msg_8" }, names })).toBeUndefined();
  });
});

describe("memory in the prompt", () => {
  const recall: MemoryRecall = {
    pinned: [{ id: "p1", kind: "pinned", content: "Sam is allergic to peanuts.", score: null, pinned: true }],
    summary: { id: "s1", kind: "summary", content: "They met at the harbor.", score: null, pinned: false, anchorId: "msg_1" },
    hits: [
      { id: "f1", kind: "fact", content: "I live in Oslo.", score: 0.03, pinned: false },
      { id: "m1", kind: "message", content: "Tell me about the harbor", score: 0.02, pinned: false, messageId: "msg_in_prompt", role: "user" },
      { id: "m2", kind: "message", content: "The lighthouse is red.", score: 0.01, pinned: false, messageId: "msg_old", role: "assistant" },
    ],
  };
  const count = (text: string) => Math.ceil(text.length / 4);

  it("puts pinned facts, the summary and recalled items in, leaving out messages the history holds", () => {
    const { text, used } = fitMemory(recall, { budget: 4000, count, inPrompt: new Set(["msg_in_prompt"]) });
    expect(used.map((m) => m.id)).toEqual(["p1", "s1", "f1", "m2"]);
    expect(text).toContain("- Sam is allergic to peanuts.\n- I live in Oslo.");
    expect(text).toContain("They met at the harbor.");
    expect(text).toContain("- {{char}}: The lighthouse is red.");
  });

  it("stays within its share of the budget, pinned facts first", () => {
    const { used } = fitMemory(recall, { budget: 40, count, inPrompt: new Set() });
    expect(used.map((m) => m.id)).toEqual(["p1"]);
    expect(fitMemory(undefined, { budget: 4000, count, inPrompt: new Set() })).toEqual({ text: undefined, used: [] });
  });
});

describe("the 8-bit vector index", () => {
  const random = (seed: number) => () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648 - 0.5;
  };

  it("finds the exact best matches among its candidates, filtered by tag", () => {
    const next = random(7);
    const vectors = Array.from({ length: 2000 }, () => normalize(Float32Array.from({ length: 64 }, next)));
    const index = new VectorIndex();
    for (const [rowid, v] of vectors.entries()) index.put({ rowid, tag: rowid % 2 === 0 ? 10 : 12, packed: quantize(v) });
    const query = normalize(Float32Array.from({ length: 64 }, next));
    const exact = vectors
      .map((v, rowid) => ({ rowid, score: dot(query, v) }))
      .filter((hit) => hit.rowid % 2 === 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, 5)
      .map((hit) => hit.rowid);
    const rough = index.search(query, 32, (tag) => tag === 10).map((hit) => hit.rowid);
    expect(rough.every((rowid) => rowid % 2 === 0)).toBe(true);
    for (const rowid of exact) expect(rough).toContain(rowid);
    index.remove(exact[0]!);
    expect(index.search(query, 32, (tag) => tag === 10).map((hit) => hit.rowid)).not.toContain(exact[0]);
    index.setTag(exact[1]!, 2);
    expect(index.search(query, 32, (tag) => tag === 10).map((hit) => hit.rowid)).not.toContain(exact[1]);
  });
});

describe("an admin's merged list", () => {
  const memory = (id: string, created_at: string, score?: number) => ({
    id,
    character_id: "c",
    user_id: "u",
    session_id: null,
    kind: "fact" as const,
    content: id,
    pinned: false,
    source_message_ids: [],
    created_at,
    updated_at: created_at,
    ...(score === undefined ? {} : { score, vector_score: null, text_score: null }),
  });
  const list = (...memories: ReturnType<typeof memory>[]) => ({ memories, total: memories.length, limit: 50, offset: 0, has_more: false });

  it("keeps each object's order for memories written in the same millisecond, newest first across objects", () => {
    const same = "2026-11-27T10:00:00.000Z";
    const merged = mergeLists([list(memory("aa-newer", same), memory("zz-older", same)), list(memory("other", "2026-11-27T11:00:00.000Z"))], {
      limit: 10,
      offset: 0,
    });
    expect(merged.memories.map((m) => m.id)).toEqual(["other", "aa-newer", "zz-older"]);
    expect(merged).toMatchObject({ total: 3, has_more: false });
  });

  it("ranks search hits by score across objects and pages the result", () => {
    const at = "2026-11-27T10:00:00.000Z";
    const merged = mergeLists([list(memory("a", at, 0.01), memory("b", at, 0.03)), list(memory("c", at, 0.02))], { q: "x", limit: 1, offset: 1 });
    expect(merged.memories.map((m) => m.id)).toEqual(["c"]);
    expect(merged.has_more).toBe(true);
  });
});

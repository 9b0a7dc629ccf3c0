import { describe, expect, inject, it } from "vitest";

const base = inject("llmBaseUrl");
const root = base.replace(/\/v1$/, "");

interface Embedded {
  status: number;
  vectors: number[][];
  model?: string;
}

async function embed(input: string | string[], model = "text-embedding-3-small"): Promise<Embedded> {
  const res = await fetch(`${base}/embeddings`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ model, input }) });
  if (!res.ok) {
    await res.body?.cancel();
    return { status: res.status, vectors: [] };
  }
  const body = (await res.json()) as { data: { index: number; embedding: number[] }[]; model: string };
  return { status: res.status, vectors: body.data.sort((a, b) => a.index - b.index).map((d) => d.embedding), model: body.model };
}

const cosine = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0);

/** Streams a completion like a turn does and joins the content of its chunks. */
async function complete(system: string, user: string): Promise<string> {
  const res = await fetch(`${base}/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      model: "emulator",
      stream: true,
      messages: [
        { role: "system", content: system },
        { role: "user", content: user },
      ],
    }),
  });
  expect(res.headers.get("Content-Type")).toContain("text/event-stream");
  const events = (await res.text()).split("\n\n").filter((event) => event.startsWith("data: "));
  expect(events.at(-1)).toBe("data: [DONE]");
  return events
    .slice(0, -1)
    .map((event) => (JSON.parse(event.slice("data: ".length)) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta?.content ?? "")
    .join("");
}

const EXTRACT = "You keep a list of durable facts about the user. Answer one JSON object.";
const exchange = (known: string[], user: string, character = "Aria", reply = "How lovely!") =>
  `Known facts:\n${known.length > 0 ? known.join("\n") : "(none)"}\n\nExchange:\nUser: ${user}\n${character}: ${reply}`;
const extract = async (known: string[], user: string) => JSON.parse(await complete(EXTRACT, exchange(known, user))) as { operations: unknown[] };

const SUMMARIZE = "You maintain a rolling summary of the conversation.";

describe("emulated embeddings", () => {
  it("scores related texts closer than unrelated ones", async () => {
    const { vectors } = await embed(["I love my dog Rex", "my dog is called Rex", "quarterly tax filing deadline"]);
    const [dog, rex, tax] = vectors as [number[], number[], number[]];
    expect(cosine(dog, rex)).toBeGreaterThan(0.4);
    expect(cosine(dog, rex)).toBeGreaterThan(cosine(dog, tax) + 0.3);
    expect(cosine(rex, tax)).toBeLessThan(0.2);
    // A light stemmer: inflected forms stay close.
    const [walking, walked] = (await embed(["walking the dogs", "she walked her dog"])).vectors as [number[], number[]];
    expect(cosine(walking, walked)).toBeGreaterThan(0.5);
  });

  it("answers deterministic unit vectors of 384 dimensions, for a string or a list", async () => {
    const one = await embed("My sister lives in Bergen");
    const again = await embed(["unrelated first", "My sister lives in Bergen"]);
    expect(one.status).toBe(200);
    expect(one.vectors[0]).toHaveLength(384);
    expect(again.vectors[1]).toEqual(one.vectors[0]);
    expect(cosine(one.vectors[0]!, one.vectors[0]!)).toBeCloseTo(1, 9);
    expect(one.model).toBe("text-embedding-3-small");
  });

  it("gives text without words one fixed unit vector", async () => {
    const { vectors } = await embed(["", "?!", "🐶🐶", "the and of"]);
    for (const vector of vectors) expect(vector).toEqual(vectors[0]);
    expect(cosine(vectors[0]!, vectors[0]!)).toBe(1);
  });

  it("fails the whole request on [[fail]] and never answers on [[hang]]", async () => {
    expect((await embed(["fine", "broken [[fail]]"])).status).toBe(500);
    await expect(
      fetch(`${base}/embeddings`, { method: "POST", body: JSON.stringify({ input: "wait [[hang]]" }), signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
  });

  it("refuses an input that is not text", async () => {
    expect((await embed([1, 2] as unknown as string[])).status).toBe(400);
  });

  it("records each request, and lists its model without hiding that it is the emulator", async () => {
    const tag = `record-${crypto.randomUUID()}`;
    await embed(tag, "my-model");
    const log = (await (await fetch(`${root}/__emulator/embeddings`)).json()) as { model: string; input: unknown }[];
    expect(log).toContainEqual({ model: "my-model", input: tag });
    const models = (await (await fetch(`${base}/models`)).json()) as { data: { id: string; owned_by: string }[] };
    expect(models.data.map((m) => m.id)).toEqual(["emulator", "emulator-embeddings-384"]);
    expect(models.data.every((m) => m.owned_by === "chatacter")).toBe(true);
  });
});

describe("emulated fact extraction", () => {
  it("adds facts from sentences about the user, and nothing else", async () => {
    expect(await extract([], "Hi there! My name is Sam. I live in Oslo and I'm a nurse! What about you?")).toEqual({
      operations: [
        { op: "ADD", content: "My name is Sam." },
        { op: "ADD", content: "I live in Oslo and I'm a nurse." },
      ],
    });
    expect(await extract([], "i am learning Rust. i'm tired")).toEqual({
      operations: [
        { op: "ADD", content: "i am learning Rust." },
        { op: "ADD", content: "i'm tired." },
      ],
    });
    expect(await extract(["[f1] My name is Sam."], "How is the weather? Tell me a story.")).toEqual({ operations: [] });
  });

  it("updates the known fact with the same first three words, unless nothing changed", async () => {
    const known = ["[f1] My name is Sam.", "[f2] I live in Oslo."];
    expect(await extract(known, "Actually, call me that. my name is Samantha.")).toEqual({
      operations: [{ op: "UPDATE", id: "f1", content: "my name is Samantha." }],
    });
    expect(await extract(known, "I live in Oslo")).toEqual({ operations: [] });
    expect(await extract(known, "I live near Bergen.")).toEqual({ operations: [{ op: "ADD", content: "I live near Bergen." }] });
  });

  it("deletes every known fact containing what the user asks to forget", async () => {
    const known = ["[f1] My name is Sam.", "[f2] I live in Oslo.", "[f3] I work in OSLO too.", "[f4] I like tea."];
    expect(await extract(known, "Please. Forget that oslo.")).toEqual({
      operations: [
        { op: "DELETE", id: "f2" },
        { op: "DELETE", id: "f3" },
      ],
    });
    expect(await extract(known, "forget that I like tea. My name is Kim.")).toEqual({
      operations: [
        { op: "DELETE", id: "f4" },
        { op: "UPDATE", id: "f1", content: "My name is Kim." },
      ],
    });
  });

  it("reads only the User line, not the character's reply", async () => {
    const answer = await complete(EXTRACT, exchange([], "Hello.", "Aria", "My name is Aria. I live in the cloud."));
    expect(JSON.parse(answer)).toEqual({ operations: [] });
  });

  it("answers content that is not JSON on [[garbage]], as a valid stream", async () => {
    const answer = await complete(EXTRACT, exchange([], "My name is Sam. [[garbage]]"));
    expect(answer).toBe("Sure! Here are the facts: none really");
  });

  it("streams through the normal path, so fault markers still apply", async () => {
    const started = Date.now();
    const answer = await complete(EXTRACT, exchange([], "My name is Sam. [[slow:40]]"));
    expect(JSON.parse(answer)).toEqual({ operations: [{ op: "ADD", content: "My name is Sam." }] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    const failed = await fetch(`${base}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({
        stream: true,
        messages: [
          { role: "system", content: EXTRACT },
          { role: "user", content: exchange([], "I am [[fail]]") },
        ],
      }),
    });
    expect(failed.status).toBe(500);
    await failed.body?.cancel();
  });
});

describe("emulated rolling summary", () => {
  it("summarizes each new message by its first six words", async () => {
    const prompt = "Summary so far:\n(none)\n\nNew messages:\nSam: I finally adopted a puppy named Rex yesterday!\nAria: Congratulations!";
    expect(await complete(SUMMARIZE, prompt)).toBe('Summary: Sam said "I finally adopted a puppy named"; Aria said "Congratulations!".');
  });

  it("keeps the previous summary in front, without repeating its prefix", async () => {
    const prompt = 'Summary so far:\nSummary: Sam said "hello".\n\nNew messages:\nSam: Bye now\nAria: See you soon, Sam';
    const answer = await complete(SUMMARIZE, prompt);
    expect(answer).toBe('Summary: Sam said "hello"; Sam said "Bye now"; Aria said "See you soon, Sam".');
    expect(await complete(SUMMARIZE, prompt)).toBe(answer);
  });
});

describe("ordinary turns", () => {
  it("are answered as before", async () => {
    expect(await complete("You are Aria. The user's name is Sam.", "My name is Sam.")).toBe(
      'Hello Sam! You said: "My name is Sam.". I can see 0 earlier messages.',
    );
    const res = await fetch(`${base}/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ stream: true, messages: [{ role: "user", content: "hi [[garbage]]" }] }),
    });
    expect(await res.text()).toBe("data: {this is not json\n\n");
  });
});

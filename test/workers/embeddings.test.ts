import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { parseConfig } from "../../workers/config";
import type { Env } from "../../workers/env";
import { openAiEmbeddings } from "../../workers/memory/embeddings/openai-compatible";
import { selectEmbeddingsProvider } from "../../workers/memory/embeddings/select-provider";
import { EmbeddingsError } from "../../workers/memory/embeddings/types";
import { workersAiEmbeddings } from "../../workers/memory/embeddings/workers-ai";
import { env } from "../support/env";

const emulatorUrl = inject("llmBaseUrl");
const SECRET = "sk-test-do-not-leak-0123456789";
const provider = (timeoutMs = 1500, baseUrl = emulatorUrl) => openAiEmbeddings({ baseUrl, apiKey: SECRET, model: "text-embedding-3-small", timeoutMs });

/** The rejection of `promise`, which must be an EmbeddingsError. */
async function failure(promise: Promise<unknown>): Promise<EmbeddingsError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EmbeddingsError);
  return error as EmbeddingsError;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("embeddings configuration", () => {
  it("defaults to the LLM's endpoint and key, and the LLM's timeout", () => {
    const { embeddings } = parseConfig({ LLM_BASE_URL: "https://llm.example/v1/", LLM_API_KEY: "k", LLM_TIMEOUT_MS: "900" });
    expect(embeddings).toEqual({ baseUrl: "https://llm.example/v1", apiKey: "k", model: undefined, timeoutMs: 900 });
  });

  it("reads its own variables, and never sends the LLM's key to another host", () => {
    const own = { EMBEDDINGS_BASE_URL: "https://emb.example/v1", EMBEDDINGS_API_KEY: "e", EMBEDDINGS_MODEL: "m" };
    expect(parseConfig({ LLM_BASE_URL: "https://llm.example/v1", LLM_API_KEY: "k", ...own }).embeddings).toMatchObject({
      baseUrl: "https://emb.example/v1",
      apiKey: "e",
      model: "m",
    });
    expect(parseConfig({ LLM_API_KEY: "k", EMBEDDINGS_BASE_URL: "https://emb.example/v1" }).embeddings.apiKey).toBeUndefined();
    expect(parseConfig({ LLM_BASE_URL: "https://llm.example/v1", LLM_API_KEY: "k", EMBEDDINGS_BASE_URL: "https://llm.example/v1/" }).embeddings.apiKey).toBe(
      "k",
    );
  });

  it("names a wrong EMBEDDINGS_BASE_URL", () => {
    expect(() => parseConfig({ EMBEDDINGS_BASE_URL: "ftp://x" })).toThrow(/EMBEDDINGS_BASE_URL must be an http\(s\) URL/);
  });
});

describe("embeddings provider selection", () => {
  const ai = { run: async () => ({ data: [] }) } as unknown as Ai;
  it("prefers EMBEDDINGS_BASE_URL or LLM_BASE_URL, then the AI binding, else none", () => {
    expect(selectEmbeddingsProvider({ EMBEDDINGS_BASE_URL: "http://127.0.0.1:1/v1", AI: ai } as Env)).toMatchObject({
      name: "openai-compatible",
      model: "text-embedding-3-small",
    });
    expect(selectEmbeddingsProvider({ LLM_BASE_URL: "http://127.0.0.1:1/v1", EMBEDDINGS_MODEL: "nomic" } as Env)).toMatchObject({ model: "nomic" });
    expect(selectEmbeddingsProvider({ AI: ai, EMBEDDINGS_MODEL: "text-embedding-3-large" } as Env)).toMatchObject({
      name: "workers-ai",
      model: "@cf/baai/bge-base-en-v1.5",
    });
    expect(selectEmbeddingsProvider({ AI: ai, EMBEDDINGS_MODEL: "@cf/baai/bge-small-en-v1.5" } as Env)?.model).toBe("@cf/baai/bge-small-en-v1.5");
    expect(selectEmbeddingsProvider({} as Env)).toBeUndefined();
  });

  it("uses the emulator in this test deployment", () => {
    expect(selectEmbeddingsProvider(env)?.name).toBe("openai-compatible");
  });
});

describe("OpenAI-compatible embeddings (against the emulator)", () => {
  it("answers one vector per text, in input order", async () => {
    const texts = ["I love my dog Rex", "quarterly tax filing deadline", "my dog is called Rex"];
    const together = await provider().embed(texts);
    expect(together).toHaveLength(3);
    for (const [i, text] of texts.entries()) {
      const [alone] = await provider().embed([text]);
      expect(together[i]).toBeInstanceOf(Float32Array);
      expect(together[i]).toHaveLength(384);
      expect(Array.from(together[i]!)).toEqual(Array.from(alone!));
    }
    expect(await provider().embed([])).toEqual([]);
  });

  it("sends at most 96 inputs per request and keeps the order across batches", async () => {
    const tag = `batch${crypto.randomUUID().replaceAll("-", "")}`;
    const texts = Array.from({ length: 200 }, (_, i) => `${tag} item number ${i} ${"word".repeat(i % 7)}`);
    const vectors = await provider().embed(texts);
    expect(vectors).toHaveLength(200);
    // The log is shared with the other test files (and holds whatever they sent): only this test's requests.
    const log = (await (await fetch(`${emulatorUrl.replace(/\/v1$/, "")}/__emulator/embeddings`)).json()) as { input: unknown }[];
    const mine = log.flatMap(({ input }) => (Array.isArray(input) && String(input[0]).startsWith(tag) ? [input as string[]] : []));
    expect(mine.map((input) => input.length)).toEqual([96, 96, 8]);
    expect(mine.flat()).toEqual(texts);
    const [last] = await provider().embed([texts[199]!]);
    expect(Array.from(vectors[199]!)).toEqual(Array.from(last!));
  });

  it("puts the vectors in index order when the answer lists them otherwise", async () => {
    vi.stubGlobal("fetch", async () =>
      Response.json({
        data: [
          { index: 1, embedding: [0, 1] },
          { index: 0, embedding: [1, 0] },
        ],
      }),
    );
    const vectors = await provider().embed(["a", "b"]);
    expect(vectors.map((v) => Array.from(v))).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });

  it("fails with EmbeddingsError on HTTP 500, without the key in the message", async () => {
    const error = await failure(provider().embed(["fine", "this one [[fail]]"]));
    expect(error.message).toBe("Embeddings answered HTTP 500");
    expect(error.message).not.toContain(SECRET);
  });

  it("times out on a provider that never answers", async () => {
    const started = Date.now();
    const error = await failure(provider(200).embed(["wait [[hang]]"]));
    expect(error.message).toMatch(/timed out after 200 ms/);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("stops when the caller's signal aborts", async () => {
    const error = await failure(provider(5000).embed(["wait [[hang]]"], AbortSignal.timeout(100)));
    expect(error.message).toMatch(/aborted/);
    await failure(provider().embed(["x"], AbortSignal.abort()));
  });

  it("fails on an unreachable endpoint without the key in the message", async () => {
    const error = await failure(provider(1500, env.TEST_CLOSED_URL).embed(["x"]));
    expect(error.message).toMatch(/^Embeddings unreachable/);
    expect(error.message).not.toContain(SECRET);
  });

  it("fails on malformed answers", async () => {
    const answers = [
      new Response("not json"),
      Response.json({ object: "list" }),
      Response.json({ data: [{ index: 0, embedding: [1, 2] }] }),
      Response.json({
        data: [
          { index: 0, embedding: "AAAA" },
          { index: 1, embedding: [1] },
        ],
      }),
      Response.json({
        data: [
          { index: 0, embedding: [1, 2] },
          { index: 0, embedding: [1, 2] },
        ],
      }),
      Response.json({
        data: [
          { index: 0, embedding: [1, 2] },
          { index: 1, embedding: [1, 2, 3] },
        ],
      }),
    ];
    for (const answer of answers) {
      vi.stubGlobal("fetch", async () => answer);
      await failure(provider().embed(["a", "b"]));
    }
  });
});

describe("Workers AI embeddings", () => {
  it("sends the texts in batches of at most 96 and returns Float32 vectors in order", async () => {
    const calls: { model: string; text: string[] }[] = [];
    const ai = {
      run: async (model: string, inputs: { text: string[] }) => {
        calls.push({ model, text: inputs.text });
        return { shape: [inputs.text.length, 2], data: inputs.text.map((t) => [Number(t), 1]) };
      },
    } as unknown as Ai;
    const texts = Array.from({ length: 100 }, (_, i) => String(i));
    const vectors = await workersAiEmbeddings(ai, "@cf/baai/bge-base-en-v1.5", 1000).embed(texts);
    expect(calls.map((c) => [c.model, c.text.length])).toEqual([
      ["@cf/baai/bge-base-en-v1.5", 96],
      ["@cf/baai/bge-base-en-v1.5", 4],
    ]);
    expect(vectors.map((v) => v[0])).toEqual(texts.map(Number));
    expect(vectors[0]).toBeInstanceOf(Float32Array);
  });

  it("fails with EmbeddingsError on a failing, hanging or malformed binding", async () => {
    const failing = { run: async () => Promise.reject(new Error("3040: capacity")) } as unknown as Ai;
    expect((await failure(workersAiEmbeddings(failing, "m", 1000).embed(["a"]))).message).toMatch(/capacity/);
    const hanging = { run: () => new Promise(() => {}) } as unknown as Ai;
    expect((await failure(workersAiEmbeddings(hanging, "m", 100).embed(["a"]))).message).toMatch(/timed out/);
    const malformed = { run: async () => ({ data: [[1], [2]] }) } as unknown as Ai;
    await failure(workersAiEmbeddings(malformed, "m", 1000).embed(["only one"]));
  });
});

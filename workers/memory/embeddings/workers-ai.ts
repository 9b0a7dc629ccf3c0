import { withTimeout } from "../../../shared/timeout";
import { inBatches } from "./batches";
import { toVectors } from "./parse-vectors";
import { EmbeddingsError, type EmbeddingsProvider } from "./types";

/** 768 dimensions, English; the model CHARACTER-ENGINE.md §3 names. */
export const DEFAULT_WORKERS_AI_EMBEDDINGS_MODEL = "@cf/baai/bge-base-en-v1.5";

/** The Workers AI binding: `{ text: [...] }` in, `{ data: number[][] }` out, in input order. */
export function workersAiEmbeddings(ai: Ai, model: string, timeoutMs: number): EmbeddingsProvider {
  // Typed loosely: the binding's overloads are per model name, and the model here is configuration.
  const run = ai.run.bind(ai) as unknown as (model: string, inputs: unknown, options?: { signal?: AbortSignal }) => Promise<unknown>;

  async function embedBatch(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (signal?.aborted) throw new EmbeddingsError("Workers AI embeddings aborted");
    let answer: unknown;
    try {
      answer = await withTimeout(run(model, { text: texts }, signal ? { signal } : undefined), timeoutMs, () => {
        throw new EmbeddingsError(`Workers AI embeddings timed out after ${timeoutMs} ms`);
      });
    } catch (error) {
      throw error instanceof EmbeddingsError ? error : new EmbeddingsError(`Workers AI embeddings failed: ${(error as Error).message}`);
    }
    const data = (answer as { data?: unknown } | null)?.data;
    if (!Array.isArray(data)) throw new EmbeddingsError("Workers AI embeddings answer has no data list");
    return toVectors(data, texts.length, "Workers AI");
  }

  return {
    name: "workers-ai",
    model,
    embed: (texts, signal) => inBatches(texts, (batch) => embedBatch(batch, signal)),
  };
}

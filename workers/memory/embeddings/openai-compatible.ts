import { withTimeout } from "../../../shared/timeout";
import { inBatches } from "./batches";
import { toVectors } from "./parse-vectors";
import { EmbeddingsError, type EmbeddingsProvider } from "./types";

export interface OpenAiEmbeddingsOptions {
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** For each request, from sending it to reading its whole answer. */
  timeoutMs: number;
}

interface EmbeddingsAnswer {
  data?: { embedding?: unknown; index?: unknown }[];
}

/** The answer's vectors in input order: the wire format numbers them by `index`, and does not promise the order. */
function vectorsOf(answer: EmbeddingsAnswer, expected: number): Float32Array[] {
  if (typeof answer !== "object" || answer === null || !Array.isArray(answer.data)) {
    throw new EmbeddingsError("Embeddings answer has no data list");
  }
  const rows: unknown[] = new Array(answer.data.length);
  for (const item of answer.data) {
    const index = item?.index;
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0 || index >= rows.length || rows[index] !== undefined) {
      throw new EmbeddingsError("Embeddings answer has a missing or repeated index");
    }
    rows[index] = item.embedding;
  }
  return toVectors(rows, expected, "Embeddings provider");
}

/** Any OpenAI-compatible POST /embeddings (OpenAI, Azure, vLLM, Ollama, LiteLLM, the local emulator). */
export function openAiEmbeddings(options: OpenAiEmbeddingsOptions): EmbeddingsProvider {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/embeddings`;
  // Belt and braces: no message built here quotes the key, but a runtime's error text might quote a header.
  const redact = (message: string) => (options.apiKey ? message.replaceAll(options.apiKey, "[redacted]") : message);

  async function embedBatch(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (signal?.aborted) throw new EmbeddingsError("Embeddings request aborted");
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    signal?.addEventListener("abort", onAbort);
    const request = async () => {
      const response = await fetch(url, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...(options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {}) },
        body: JSON.stringify({ model: options.model, input: texts }),
        signal: abort.signal,
      });
      if (!response.ok) {
        await response.body?.cancel();
        // The status only: an upstream's error text can echo the key (OpenAI's "Incorrect API key provided: sk-...").
        throw new EmbeddingsError(`Embeddings answered HTTP ${response.status}`);
      }
      const body = await response.text();
      let answer: EmbeddingsAnswer;
      try {
        answer = JSON.parse(body) as EmbeddingsAnswer;
      } catch {
        throw new EmbeddingsError("Embeddings answer is not JSON");
      }
      return vectorsOf(answer, texts.length);
    };
    try {
      return await withTimeout(request(), options.timeoutMs, () => {
        throw new EmbeddingsError(`Embeddings request timed out after ${options.timeoutMs} ms`);
      });
    } catch (error) {
      if (error instanceof EmbeddingsError) throw error;
      if (signal?.aborted) throw new EmbeddingsError("Embeddings request aborted");
      throw new EmbeddingsError(`Embeddings unreachable: ${redact((error as Error).message)}`);
    } finally {
      signal?.removeEventListener("abort", onAbort);
      // Also ends a request the deadline gave up on, so it does not hold a connection.
      abort.abort();
    }
  }

  return {
    name: "openai-compatible",
    model: options.model,
    embed: (texts, signal) => inBatches(texts, (batch) => embedBatch(batch, signal)),
  };
}

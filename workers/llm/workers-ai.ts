import { llmDeadline, readSseData } from "./read-sse";
import { LlmError, usageEvent, type CompletionEvent, type CompletionRequest, type LlmProvider } from "./types";

export const DEFAULT_WORKERS_AI_MODEL = "@cf/meta/llama-3.1-8b-instruct";

interface WorkersAiChunk {
  response?: string;
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** The Workers AI binding: its streaming answer is SSE with `{"response": "..."}` chunks and a final usage. */
export function workersAi(ai: Ai, model: string, timeoutMs: number): LlmProvider {
  return {
    name: "workers-ai",
    model,
    async *stream(request: CompletionRequest): AsyncGenerator<CompletionEvent> {
      const body = await llmDeadline(
        (ai.run as (model: string, inputs: unknown) => Promise<unknown>)(model, {
          messages: request.messages,
          temperature: request.temperature,
          max_tokens: request.maxTokens,
          stream: true,
        }),
        timeoutMs,
        "request",
      ).catch((error: unknown) => {
        throw error instanceof LlmError ? error : new LlmError(`Workers AI failed: ${(error as Error).message}`);
      });
      if (!(body instanceof ReadableStream)) throw new LlmError("Workers AI did not return a stream");
      for await (const data of readSseData(body, timeoutMs)) {
        if (data === "[DONE]") return;
        let chunk: WorkersAiChunk;
        try {
          chunk = JSON.parse(data) as WorkersAiChunk;
        } catch {
          throw new LlmError("Workers AI stream carried a chunk that is not JSON");
        }
        if (chunk.response) yield { type: "delta", text: chunk.response, logprobs: [] };
        if (chunk.usage) yield usageEvent(chunk.usage);
      }
      throw new LlmError("Workers AI stream ended before [DONE]");
    },
  };
}

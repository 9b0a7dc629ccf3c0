import { llmDeadline, readSseData } from "./read-sse";
import { LlmError, usageEvent, type CompletionEvent, type CompletionRequest, type LlmProvider } from "./types";

export interface OpenAiCompatibleOptions {
  baseUrl: string;
  apiKey?: string;
  model: string;
  timeoutMs: number;
}

interface StreamChunk {
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null; logprobs?: { content?: { logprob: number }[] | null } | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  error?: { message?: string };
}

function parseChunk(data: string): StreamChunk {
  try {
    const chunk = JSON.parse(data) as StreamChunk;
    if (typeof chunk !== "object" || chunk === null) throw new Error("not an object");
    return chunk;
  } catch {
    throw new LlmError("LLM stream carried a chunk that is not JSON");
  }
}

/** Any OpenAI-compatible /chat/completions endpoint, always streamed so every transport can relay tokens. */
export function openAiCompatible(options: OpenAiCompatibleOptions): LlmProvider {
  const url = `${options.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  return {
    name: "openai-compatible",
    model: options.model,
    async *stream(request: CompletionRequest): AsyncGenerator<CompletionEvent> {
      const abort = new AbortController();
      const onAbort = () => abort.abort();
      request.signal?.addEventListener("abort", onAbort);
      try {
        const response = await llmDeadline(
          fetch(url, {
            method: "POST",
            headers: {
              "Content-Type": "application/json",
              Accept: "text/event-stream",
              ...(options.apiKey ? { Authorization: `Bearer ${options.apiKey}` } : {}),
            },
            body: JSON.stringify({
              model: options.model,
              messages: request.messages,
              temperature: request.temperature,
              max_tokens: request.maxTokens,
              stream: true,
              stream_options: { include_usage: true },
              logprobs: true,
            }),
            signal: abort.signal,
          }),
          options.timeoutMs,
          "request",
        ).catch((error: unknown) => {
          if (error instanceof LlmError) throw error;
          throw new LlmError(`LLM unreachable: ${(error as Error).message}`);
        });
        if (!response.ok || !response.body) {
          await response.body?.cancel();
          throw new LlmError(`LLM answered HTTP ${response.status}`);
        }
        if (!response.headers.get("Content-Type")?.includes("text/event-stream")) {
          await response.body.cancel();
          throw new LlmError("LLM did not answer with an event stream");
        }
        for await (const data of readSseData(response.body, options.timeoutMs)) {
          // [DONE] is the only proof the stream was not cut short.
          if (data === "[DONE]") return;
          const chunk = parseChunk(data);
          if (chunk.error) throw new LlmError(`LLM stream error: ${chunk.error.message ?? "unknown"}`);
          const choice = chunk.choices?.[0];
          if (choice?.delta?.content) {
            yield { type: "delta", text: choice.delta.content, logprobs: choice.logprobs?.content?.map((t) => t.logprob) ?? [] };
          }
          if (choice?.finish_reason) yield { type: "finish", reason: choice.finish_reason };
          if (chunk.usage) yield usageEvent(chunk.usage);
        }
        throw new LlmError("LLM stream ended before [DONE]");
      } finally {
        request.signal?.removeEventListener("abort", onAbort);
        abort.abort();
      }
    },
  };
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface CompletionRequest {
  messages: ChatMessage[];
  temperature: number;
  maxTokens: number;
  signal?: AbortSignal;
}

export type CompletionEvent =
  | { type: "delta"; text: string; logprobs: number[] }
  | { type: "usage"; promptTokens: number; completionTokens: number; totalTokens: number }
  | { type: "finish"; reason: string };

/** Token counts as both providers report them (OpenAI's `usage` object). */
export const usageEvent = (usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }): CompletionEvent => ({
  type: "usage",
  promptTokens: usage.prompt_tokens,
  completionTokens: usage.completion_tokens,
  totalTokens: usage.total_tokens,
});

/** A chat-completions backend that streams; every transport consumes the same events. */
export interface LlmProvider {
  readonly name: string;
  readonly model: string;
  stream(request: CompletionRequest): AsyncGenerator<CompletionEvent>;
}

/** The provider failed, hung or sent something unreadable: the caller answers SERVICE_UNAVAILABLE. */
export class LlmError extends Error {
  override name = "LlmError";
}

import type { Env } from "../env";
import { openAiCompatible } from "./openai-compatible";
import { DEFAULT_WORKERS_AI_MODEL, workersAi } from "./workers-ai";
import type { LlmProvider } from "./types";

export const llmTimeoutMs = (env: Env) => Number(env.LLM_TIMEOUT_MS) || 30_000;
export const llmContextTokens = (env: Env) => Number(env.LLM_CONTEXT_TOKENS) || 8192;

/** LLM_BASE_URL wins; otherwise the Workers AI binding if the deployment has one; otherwise none. */
export function selectProvider(env: Env): LlmProvider | undefined {
  const timeoutMs = llmTimeoutMs(env);
  if (env.LLM_BASE_URL) {
    return openAiCompatible({ baseUrl: env.LLM_BASE_URL, apiKey: env.LLM_API_KEY, model: env.LLM_MODEL || "gpt-4o-mini", timeoutMs });
  }
  if (env.AI) {
    const model = env.LLM_MODEL?.startsWith("@cf/") ? env.LLM_MODEL : DEFAULT_WORKERS_AI_MODEL;
    return workersAi(env.AI, model, timeoutMs);
  }
  return undefined;
}

import { config, DEFAULT_LLM_MODEL } from "../config";
import type { Env } from "../env";
import { openAiCompatible } from "./openai-compatible";
import type { LlmProvider } from "./types";
import { DEFAULT_WORKERS_AI_MODEL, workersAi } from "./workers-ai";

/** LLM_BASE_URL wins; otherwise the Workers AI binding if the deployment has one; otherwise none. */
export function selectLlmProvider(env: Pick<Env, "AI">): LlmProvider | undefined {
  const { baseUrl, apiKey, model, timeoutMs } = config(env).llm;
  if (baseUrl) return openAiCompatible({ baseUrl, apiKey, model: model ?? DEFAULT_LLM_MODEL, timeoutMs });
  if (env.AI) return workersAi(env.AI, model?.startsWith("@cf/") ? model : DEFAULT_WORKERS_AI_MODEL, timeoutMs);
  return undefined;
}

import { config, DEFAULT_EMBEDDINGS_MODEL } from "../../config";
import type { Env } from "../../env";
import { openAiEmbeddings } from "./openai-compatible";
import type { EmbeddingsProvider } from "./types";
import { DEFAULT_WORKERS_AI_EMBEDDINGS_MODEL, workersAiEmbeddings } from "./workers-ai";

/**
 * EMBEDDINGS_BASE_URL, else LLM_BASE_URL (config.ts resolves which); otherwise the Workers AI binding if
 * the deployment has one; otherwise none, and recall runs on full text only.
 */
export function selectEmbeddingsProvider(env: Pick<Env, "AI">): EmbeddingsProvider | undefined {
  const { baseUrl, apiKey, model, timeoutMs } = config(env).embeddings;
  if (baseUrl) return openAiEmbeddings({ baseUrl, apiKey, model: model ?? DEFAULT_EMBEDDINGS_MODEL, timeoutMs });
  if (env.AI) return workersAiEmbeddings(env.AI, model?.startsWith("@cf/") ? model : DEFAULT_WORKERS_AI_EMBEDDINGS_MODEL, timeoutMs);
  return undefined;
}

import type { ServiceStatus } from "../../shared/schemas/ops";
import type { Env } from "../env";
import { config } from "../config";
import { selectEmbeddingsProvider } from "../memory/embeddings/select-provider";
import { upstashRedis } from "../rate-limit/upstash-limiter";

export interface LlmProbe {
  status: ServiceStatus;
  /** The models list is the local emulator's (tools/llm-emulator.ts lists models owned_by "chatacter"). */
  emulator: boolean;
}

/** GET {LLM_BASE_URL}/models: answers without spending tokens, and fails when the key is refused. */
export async function probeLlm(env: Env, timeoutMs: number): Promise<LlmProbe> {
  const { baseUrl, apiKey } = config(env).llm;
  if (!baseUrl) {
    // The Workers AI binding has no free ping; its presence is all that can be said without a paid call.
    return { status: env.AI ? "healthy" : "not_configured", emulator: false };
  }
  try {
    const res = await fetch(`${baseUrl}/models`, {
      headers: apiKey ? { Authorization: `Bearer ${apiKey}` } : {},
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!res.ok) {
      await res.body?.cancel();
      return { status: "unhealthy", emulator: false };
    }
    const body = (await res.json().catch(() => undefined)) as { data?: { owned_by?: string }[] } | undefined;
    const emulator = Array.isArray(body?.data) && body.data.length > 0 && body.data.every((m) => m.owned_by === "chatacter");
    return { status: "healthy", emulator };
  } catch {
    return { status: "unhealthy", emulator: false };
  }
}

/** PING through the same Upstash client the limiter uses; not_configured when the fallback is in use. */
export async function probeRedis(env: Env, timeoutMs: number): Promise<ServiceStatus> {
  const { upstash } = config(env).rateLimit;
  if (!upstash) return "not_configured";
  try {
    return (await upstashRedis(upstash, timeoutMs).ping()) === "PONG" ? "healthy" : "unhealthy";
  } catch {
    return "unhealthy";
  }
}

/**
 * Memory's vectors live in each memory Durable Object's SQLite, which cannot be down on its own; what
 * can fail is the embeddings provider that recall depends on. So this embeds one word with it: not
 * configured without a provider, and unhealthy when it fails (recall then runs on full text only).
 */
export async function probeVectorDatabase(env: Env, timeoutMs: number): Promise<ServiceStatus> {
  const provider = selectEmbeddingsProvider(env);
  if (!provider) return "not_configured";
  try {
    const [vector] = await provider.embed(["ping"], AbortSignal.timeout(timeoutMs));
    return vector && vector.length > 0 ? "healthy" : "unhealthy";
  } catch {
    return "unhealthy";
  }
}

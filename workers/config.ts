import { z } from "zod";

/**
 * The deployment's configuration, read from its variables once and typed: every default lives here.
 * The names are ARCHITECTURE.md's and `.dev.vars.example` documents each. An empty variable counts as
 * unset. A value that cannot be right fails with a message naming the variable, never its value.
 */

const unsetIfEmpty = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const text = () => z.preprocess(unsetIfEmpty, z.string().trim().optional());
const httpUrl = () =>
  z.preprocess(
    unsetIfEmpty,
    z
      .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
      .transform((url) => url.replace(/\/+$/, ""))
      .optional(),
  );
const whole = (fallback: number, min: number) =>
  z.preprocess(
    unsetIfEmpty,
    z.coerce
      .number({ error: "must be a number" })
      .int({ error: "must be a whole number" })
      .min(min, { error: `must be at least ${min}` })
      .default(fallback),
  );
const jsonRecord = () =>
  z.preprocess((value) => {
    const raw = unsetIfEmpty(value);
    if (typeof raw !== "string") return raw;
    try {
      return JSON.parse(raw);
    } catch {
      return raw;
    }
  }, z.record(z.string(), z.string(), { error: 'must be a JSON object of strings, e.g. {"owner/name":"<version id>"}' }).optional());

/** The variables as the Worker receives them (wrangler vars, secrets, `.dev.vars`). */
const ConfigVariables = z.object({
  ADMIN_API_KEY: text(),
  LLM_BASE_URL: httpUrl(),
  LLM_API_KEY: text(),
  LLM_MODEL: text(),
  LLM_TIMEOUT_MS: whole(30_000, 1),
  LLM_CONTEXT_TOKENS: whole(8192, 256),
  EMBEDDINGS_BASE_URL: httpUrl(),
  EMBEDDINGS_API_KEY: text(),
  EMBEDDINGS_MODEL: text(),
  MEMORY: z.preprocess(unsetIfEmpty, z.enum(["on", "off"], { error: "must be on or off" }).default("on")),
  UPSTASH_REDIS_REST_URL: httpUrl(),
  UPSTASH_REDIS_REST_TOKEN: text(),
  RATE_LIMIT_PER_MINUTE: whole(120, 0),
  CORS_ORIGINS: text(),
  REPLICATE_API_TOKEN: text(),
  REPLICATE_BASE_URL: httpUrl(),
  REPLICATE_WEBHOOK_SECRET: text(),
  REPLICATE_MODEL_VERSIONS: jsonRecord(),
  GPU_ENDPOINT_URL: httpUrl(),
  WEBHOOK_AUTH_TOKEN: text(),
  MEDIA_PROVIDER: z.preprocess(unsetIfEmpty, z.enum(["replicate", "cog"], { error: "must be replicate or cog" }).optional()),
  GPU_TIMEOUT_MS: whole(15_000, 1),
  GPU_RETRY_BASE_MS: whole(1000, 1),
  PUBLIC_BASE_URL: httpUrl(),
});

/** Where the local stack serves, and so the public origin when PUBLIC_BASE_URL is unset. */
const LOCAL_BASE_URL = "http://localhost:8000";
/** The model asked of an OpenAI-compatible endpoint when LLM_MODEL is unset. */
export const DEFAULT_LLM_MODEL = "gpt-4o-mini";
/** The model asked of an OpenAI-compatible endpoint when EMBEDDINGS_MODEL is unset. */
export const DEFAULT_EMBEDDINGS_MODEL = "text-embedding-3-small";

/**
 * Embeddings default to the LLM's endpoint. The LLM's key goes along only to that endpoint: an
 * EMBEDDINGS_BASE_URL elsewhere without a key of its own must not receive a credential meant for another host.
 */
function embeddingsEndpoint(v: z.infer<typeof ConfigVariables>) {
  const baseUrl = v.EMBEDDINGS_BASE_URL ?? v.LLM_BASE_URL;
  const sameHost = v.EMBEDDINGS_BASE_URL === undefined || v.EMBEDDINGS_BASE_URL === v.LLM_BASE_URL;
  return { baseUrl, apiKey: v.EMBEDDINGS_API_KEY ?? (sameHost ? v.LLM_API_KEY : undefined) };
}

function toConfig(variables: z.infer<typeof ConfigVariables>) {
  const v = variables;
  const origins = (v.CORS_ORIGINS ?? "")
    .split(",")
    .map((o) => o.trim())
    .filter(Boolean);
  return {
    adminApiKey: v.ADMIN_API_KEY,
    llm: {
      baseUrl: v.LLM_BASE_URL,
      apiKey: v.LLM_API_KEY,
      model: v.LLM_MODEL,
      /** To the first byte, and between two streamed chunks. */
      timeoutMs: v.LLM_TIMEOUT_MS,
      /** The model's context window, shared by the prompt and the reply. */
      contextTokens: v.LLM_CONTEXT_TOKENS,
    },
    embeddings: {
      ...embeddingsEndpoint(v),
      /** Unset: the provider's default (DEFAULT_EMBEDDINGS_MODEL, or Workers AI's bge model). */
      model: v.EMBEDDINGS_MODEL,
      /** The LLM's: both are calls to the same kind of upstream, usually the same one. */
      timeoutMs: v.LLM_TIMEOUT_MS,
    },
    /** Memory (CHARACTER-ENGINE.md §3): off, turns neither recall nor hand their exchanges over (the bench compares both). */
    memoryEnabled: v.MEMORY === "on",
    rateLimit: {
      /** Per key, or per client address on public routes; 0 turns request limits off. */
      perMinute: v.RATE_LIMIT_PER_MINUTE,
      upstash: v.UPSTASH_REDIS_REST_URL && v.UPSTASH_REDIS_REST_TOKEN ? { url: v.UPSTASH_REDIS_REST_URL, token: v.UPSTASH_REDIS_REST_TOKEN } : undefined,
    },
    /** `*`, exact origins, or none (no CORS headers). */
    corsOrigins: origins.includes("*") ? ("*" as const) : origins,
    publicBaseUrl: v.PUBLIC_BASE_URL ?? LOCAL_BASE_URL,
    media: {
      replicate: v.REPLICATE_API_TOKEN
        ? {
            apiToken: v.REPLICATE_API_TOKEN,
            baseUrl: v.REPLICATE_BASE_URL,
            webhookSecret: v.REPLICATE_WEBHOOK_SECRET,
            versions: v.REPLICATE_MODEL_VERSIONS ?? {},
          }
        : undefined,
      /** Kept apart from `replicate`: webhooks are verified even when the API token is not set here. */
      replicateWebhookSecret: v.REPLICATE_WEBHOOK_SECRET,
      cog: v.GPU_ENDPOINT_URL ? { endpointUrl: v.GPU_ENDPOINT_URL } : undefined,
      cogWebhookToken: v.WEBHOOK_AUTH_TOKEN,
      /** Which provider when both are configured; Replicate by default. */
      provider: v.MEDIA_PROVIDER,
      /** One call to the GPU provider or its file host. */
      timeoutMs: v.GPU_TIMEOUT_MS,
      /** The first retry delay of a failed submit, doubled each time. */
      retryBaseMs: v.GPU_RETRY_BASE_MS,
    },
  };
}

export type Config = ReturnType<typeof toConfig>;

/** A variable whose value cannot be right; the message names the variable only. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** Parses the variables, or throws one ConfigError naming every variable that is wrong. */
export function parseConfig(variables: Record<string, unknown>): Config {
  const result = ConfigVariables.safeParse(variables);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join("; ")}`);
  }
  return toConfig(result.data);
}

// An isolate sees the same env object on every request; tests that override bindings get their own.
const parsed = new WeakMap<object, Config>();

/** The configuration of this env, parsed on first use. */
export function config(env: object): Config {
  const found = parsed.get(env) ?? parseConfig(env as Record<string, unknown>);
  parsed.set(env, found);
  return found;
}

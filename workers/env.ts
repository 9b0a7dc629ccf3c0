import type { ChatSession } from "./durable-objects/chat-session/chat-session";
import type { Caller } from "./auth/caller";
import type { RateLimiter } from "./durable-objects/rate-limiter/rate-limiter";
import type { AuthFailureCounter } from "./durable-objects/rate-limiter/auth-failure-counter";
import type { RequestMetrics } from "./durable-objects/request-metrics/request-metrics";
import type { UserMemory } from "./durable-objects/user-memory/user-memory";

/** Where work that outlives the response goes: a request's ExecutionContext, or a Durable Object's state. */
export type WaitUntil = Pick<ExecutionContext, "waitUntil">;

/** Bindings and configuration; the names are fixed by ARCHITECTURE.md and documented in .dev.vars.example. */
export interface Env {
  DB: D1Database;
  MEDIA: R2Bucket;
  CHAT_SESSION: DurableObjectNamespace<ChatSession>;
  /** The embedded rate-limit store, used when Upstash is not configured. */
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
  /** Failed authentications per client address, when Upstash is not configured. */
  AUTH_FAILURES: DurableObjectNamespace<AuthFailureCounter>;
  /** Memory: one object per (API key, character, end user), CHARACTER-ENGINE.md §3. */
  USER_MEMORY: DurableObjectNamespace<UserMemory>;
  /** Request counters behind GET /api/v1/metrics (one object). */
  REQUEST_METRICS: DurableObjectNamespace<RequestMetrics>;
  /** Workers AI, the second LLM provider: used when LLM_BASE_URL is unset and the binding exists. */
  AI?: Ai;
  ADMIN_API_KEY?: string;
  LLM_BASE_URL?: string;
  LLM_API_KEY?: string;
  LLM_MODEL?: string;
  /** Milliseconds to wait for the LLM's first byte and between two streamed chunks (default 30000). */
  LLM_TIMEOUT_MS?: string;
  /** The model's context window in tokens, shared by the prompt and the reply (default 8192). */
  LLM_CONTEXT_TOKENS?: string;
  /** An OpenAI-compatible /embeddings endpoint for memory recall; unset: LLM_BASE_URL, then the AI binding. */
  EMBEDDINGS_BASE_URL?: string;
  /** Unset: LLM_API_KEY, when the embeddings go to the LLM's endpoint. */
  EMBEDDINGS_API_KEY?: string;
  /** Default text-embedding-3-small (OpenAI-compatible) or @cf/baai/bge-base-en-v1.5 (Workers AI). */
  EMBEDDINGS_MODEL?: string;
  /** "off" turns memory off (turns neither recall nor remember); default "on". */
  MEMORY?: string;
  /** Upstash Redis (REST) for rate limits; unset: the RateLimiter Durable Object. */
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** Requests per minute per key or client IP (default 120; 0 turns limiting off). */
  RATE_LIMIT_PER_MINUTE?: string;
  /** Comma-separated origins allowed by CORS, or `*`; unset: no CORS headers. */
  CORS_ORIGINS?: string;
  /** Media jobs (gpu-jobs/): Replicate, or a self-hosted Cog endpoint; see .dev.vars.example. */
  REPLICATE_API_TOKEN?: string;
  REPLICATE_BASE_URL?: string;
  REPLICATE_WEBHOOK_SECRET?: string;
  GPU_ENDPOINT_URL?: string;
  /** Cog's WEBHOOK_AUTH_TOKEN: the bearer token a self-hosted Cog server puts on its webhooks. */
  WEBHOOK_AUTH_TOKEN?: string;
  PUBLIC_BASE_URL?: string;
  /** JSON {"owner/name": "<version id>"}: pinned Replicate versions (community models need one). */
  REPLICATE_MODEL_VERSIONS?: string;
  /** "replicate" or "cog" to choose when both are configured. */
  MEDIA_PROVIDER?: string;
  /** Milliseconds for one call to the GPU provider (default 15000). */
  GPU_TIMEOUT_MS?: string;
  /** First retry delay of a failed submit, doubled each time (default 1000). */
  GPU_RETRY_BASE_MS?: string;
}

interface AppVariables {
  requestId: string;
  caller: Caller;
  /** Set by routes that know the session, for the request log. */
  sessionId?: string;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };

import type { ChatSession } from "./durable-objects/chat-session/chat-session";
import type { Caller } from "./auth/caller";
import type { RateLimiter } from "./durable-objects/rate-limiter/rate-limiter";
import type { RequestMetrics } from "./durable-objects/request-metrics/request-metrics";

/** Bindings and configuration; the names are fixed by ARCHITECTURE.md and documented in .dev.vars.example. */
export interface Env {
  DB: D1Database;
  MEDIA: R2Bucket;
  CHAT_SESSION: DurableObjectNamespace<ChatSession>;
  /** The embedded rate-limit store, used when Upstash is not configured. */
  RATE_LIMITER: DurableObjectNamespace<RateLimiter>;
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
  /** Upstash Redis (REST) for rate limits; unset: the RateLimiter Durable Object. */
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  /** Requests per minute per key or client IP (default 120; 0 turns limiting off). */
  RATE_LIMIT_PER_MINUTE?: string;
  /** Comma-separated origins allowed by CORS, or `*`; unset: no CORS headers. */
  CORS_ORIGINS?: string;
}

export interface AppVariables {
  requestId: string;
  caller: Caller;
  /** Set by routes that know the session, for the request log. */
  sessionId?: string;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };

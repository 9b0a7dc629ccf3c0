import type { ChatSession } from "./durable-objects/chat-session/chat-session";
import type { Caller } from "./auth/caller";

/** Bindings and configuration; the names are fixed by ARCHITECTURE.md and documented in .dev.vars.example. */
export interface Env {
  DB: D1Database;
  MEDIA: R2Bucket;
  CHAT_SESSION: DurableObjectNamespace<ChatSession>;
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
}

export interface AppVariables {
  requestId: string;
  caller: Caller;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };

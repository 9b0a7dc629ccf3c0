import { createApp } from "./app";
import type { Env } from "./env";
import { reconcileMediaJobs } from "./media/reconcile";

export { ChatSession } from "./durable-objects/chat-session/chat-session";
export { RateLimiter } from "./durable-objects/rate-limiter/rate-limiter";
export { AuthFailureCounter } from "./durable-objects/rate-limiter/auth-failure-counter";
export { RequestMetrics } from "./durable-objects/request-metrics/request-metrics";
export { UserMemory } from "./durable-objects/user-memory/user-memory";

const app = createApp();

export default {
  fetch: app.fetch,
  // The cron of wrangler.toml: media jobs whose webhook never came.
  scheduled: (_controller, env, ctx) => ctx.waitUntil(reconcileMediaJobs(env)),
} satisfies ExportedHandler<Env>;

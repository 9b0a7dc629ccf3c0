import { createApp } from "./app";
import type { Env } from "./env";

export { ChatSession } from "./durable-objects/chat-session/chat-session";
export { RateLimiter } from "./durable-objects/rate-limiter/rate-limiter";
export { RequestMetrics } from "./durable-objects/request-metrics/request-metrics";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;

import { createApp } from "./app";
import type { Env } from "./env";

export { ChatSession } from "./durable-objects/chat-session/chat-session";

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;

import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { cogWebhook } from "./cog";
import { replicateWebhook } from "./replicate";

/**
 * Provider callbacks: authenticated by signature or token, not by API key. Each route reads its body
 * itself, after checking what it can without it and under its own cap (read-body.ts).
 */
export const webhookRoutes = new Hono<AppEnv>().route("/", replicateWebhook).route("/", cogWebhook);

import type { Context } from "hono";
import type { AppEnv } from "../env";

/**
 * The client's address: CF-Connecting-IP, which Cloudflare sets on every request from outside (wrangler
 * dev too); nothing else is trusted. Undefined only for calls from inside (tests, service bindings).
 */
export const clientAddress = (c: Context<AppEnv>): string | undefined => c.req.header("CF-Connecting-IP") || undefined;

import type { MiddlewareHandler } from "hono";
import { ApiError } from "../api-error";
import { authenticateFrom } from "../auth/authenticate";
import { isAdmin } from "../auth/caller";
import type { AppEnv } from "../env";
import { rateLimitHeaders } from "../rate-limit/headers";
import { clientAddress } from "./client-address";

/** Bearer API keys. Sets `caller`; the key itself never leaves this function. */
export const auth = (): MiddlewareHandler<AppEnv> =>
  async function auth(c, next) {
    const header = c.req.header("Authorization");
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    // No key is no guess: nothing to count.
    if (!match) throw new ApiError("UNAUTHORIZED", "Missing API key: send Authorization: Bearer <key>");
    const outcome = await authenticateFrom(c.env, clientAddress(c), match[1]!, c.executionCtx);
    if (outcome.ok) {
      c.set("caller", outcome.caller);
      return next();
    }
    if (outcome.code === "UNAUTHORIZED") throw new ApiError("UNAUTHORIZED", "Invalid or revoked API key");
    for (const [name, value] of Object.entries(rateLimitHeaders(outcome.limit))) c.header(name, value);
    throw tooManyFailures(outcome.limit.retryAfterSeconds);
  };

export const tooManyFailures = (retryAfterSeconds: number) =>
  new ApiError("RATE_LIMIT_EXCEEDED", `Too many failed authentications from this address; retry in ${retryAfterSeconds} s`, undefined, retryAfterSeconds);

export const requireAdmin = (): MiddlewareHandler<AppEnv> =>
  async function requireAdmin(c, next) {
    if (!isAdmin(c.get("caller"))) throw new ApiError("FORBIDDEN", "This operation needs an API key with the admin scope");
    await next();
  };

import type { MiddlewareHandler } from "hono";
import { ApiError } from "../api-error";
import { authenticateFrom } from "../auth/authenticate";
import { isAdmin } from "../auth/caller";
import type { AppEnv } from "../env";
import { refuseOverLimit } from "./rate-limit";
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
    refuseOverLimit(c, outcome.limit, TOO_MANY_FAILURES);
  };

export const TOO_MANY_FAILURES = "Too many failed authentications from this address";

export const requireAdmin = (): MiddlewareHandler<AppEnv> =>
  async function requireAdmin(c, next) {
    if (!isAdmin(c.get("caller"))) throw new ApiError("FORBIDDEN", "This operation needs an API key with the admin scope");
    await next();
  };

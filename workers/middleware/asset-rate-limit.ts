import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { addressBucket } from "../rate-limit/address-bucket";
import { config } from "../config";
import { limiterAt } from "../rate-limit/limiter";
import { clientAddress } from "./client-address";
import { refuseOverLimit } from "./rate-limit";

/**
 * /assets requests per client address (an IPv6 /64) per sliding minute. Generous: opening a history
 * page loads audio, video and a thumbnail per reply, and players fetch media in several Range requests,
 * so a busy page makes hundreds; this only stops a single address from pulling R2 without end.
 */
const ASSET_REQUESTS_PER_MINUTE = 600;

/** Off with RATE_LIMIT_PER_MINUTE=0 like the other request limits; calls from inside are not limited. */
export const assetRateLimit = (): MiddlewareHandler<AppEnv> =>
  async function assetRateLimit(c, next) {
    const address = clientAddress(c);
    if (!address || config(c.env).rateLimit.perMinute === 0) return next();
    const result = await limiterAt(c.env, ASSET_REQUESTS_PER_MINUTE, c.executionCtx).limit(`assets:${addressBucket(address)}`);
    refuseOverLimit(c, result);
    // Cached answers stay free of per-client fields: the 429 is where the budget shows.
    await next();
  };

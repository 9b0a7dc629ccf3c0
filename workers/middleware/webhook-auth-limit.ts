import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { failedAuthBudget, recordFailedAuth } from "../rate-limit/failed-auth";
import { TOO_MANY_FAILURES } from "./auth";
import { refuseOverLimit } from "./rate-limit";
import { clientAddress } from "./client-address";

/**
 * /webhooks: only deliveries that fail verification (401) count, against the same failed-auth budget
 * as API keys, so a provider's own bursts are never throttled while a forger's guesses are.
 */
export const webhookAuthLimit = (): MiddlewareHandler<AppEnv> =>
  async function webhookAuthLimit(c, next) {
    const address = clientAddress(c);
    const budget = await failedAuthBudget(c.env, address);
    refuseOverLimit(c, budget, TOO_MANY_FAILURES);
    await next();
    if (c.res.status === 401) await recordFailedAuth(c.env, address, c.executionCtx);
  };

import type { MiddlewareHandler } from "hono";
import { cors as honoCors } from "hono/cors";
import type { AppEnv } from "../env";

/** CORS_ORIGINS: `*`, or a comma-separated list of exact origins. Unset: no CORS headers (same-origin only). */
export function parseOrigins(raw: string | undefined): "*" | string[] {
  const origins = (raw ?? "").split(",").map((o) => o.trim()).filter(Boolean);
  return origins.includes("*") ? "*" : origins;
}

export const cors = (): MiddlewareHandler<AppEnv> =>
  async function cors(c, next) {
    const origins = parseOrigins(c.env.CORS_ORIGINS);
    if (origins !== "*" && origins.length === 0) return next();
    return honoCors({
      origin: origins === "*" ? "*" : (origin) => (origins.includes(origin) ? origin : null),
      allowHeaders: ["Authorization", "Content-Type", "X-Request-Id", "Prefer"],
      allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
      exposeHeaders: ["X-Request-Id", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy"],
      maxAge: 600,
    })(c, next);
  };

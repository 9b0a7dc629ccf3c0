import type { MiddlewareHandler } from "hono";
import { cors as honoCors } from "hono/cors";
import { config } from "../config";
import type { AppEnv } from "../env";

export const cors = (): MiddlewareHandler<AppEnv> =>
  async function cors(c, next) {
    // CORS_ORIGINS: `*`, or exact origins; unset: no CORS headers (same-origin only).
    const origins = config(c.env).corsOrigins;
    if (origins !== "*" && origins.length === 0) return next();
    return honoCors({
      origin: origins === "*" ? "*" : (origin) => (origins.includes(origin) ? origin : null),
      allowHeaders: ["Authorization", "Content-Type", "X-Request-Id", "Prefer"],
      allowMethods: ["GET", "POST", "PUT", "DELETE", "OPTIONS"],
      exposeHeaders: ["X-Request-Id", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset", "RateLimit-Policy"],
      maxAge: 600,
    })(c, next);
  };

import type { MiddlewareHandler } from "hono";
import { ApiError } from "../api-error";
import type { AppEnv } from "../env";

/**
 * A path that is not valid percent-encoding (`/chat/history/%ZZ`) can name nothing: 400 at once, rather
 * than an id that decodes differently in each place that reads it.
 */
export const pathEncoding = (): MiddlewareHandler<AppEnv> =>
  async function pathEncoding(c, next) {
    try {
      // The raw path: c.req.path may already be decoded once.
      decodeURIComponent(new URL(c.req.url).pathname);
    } catch {
      throw new ApiError("INVALID_REQUEST", "The path is not valid percent-encoding");
    }
    await next();
  };

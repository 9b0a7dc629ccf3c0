import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { randomId } from "../../shared/crypto";

// A client's id is kept only if it is short and plain, so it cannot inject into logs or headers.
const WELL_FORMED = /^[A-Za-z0-9._:-]{8,128}$/;

export const requestId = (): MiddlewareHandler<AppEnv> =>
  async function requestId(c, next) {
    const offered = c.req.header("X-Request-Id");
    const id = offered && WELL_FORMED.test(offered) ? offered : randomId("req_", 16);
    c.set("requestId", id);
    await next();
    // A 101 WebSocket answer from a Durable Object has immutable headers, and nothing reads them.
    if (c.res.status !== 101) c.res.headers.set("X-Request-Id", id);
  };

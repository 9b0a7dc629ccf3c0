import type { Context, MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { AppEnv } from "../env";
import { markIsolateStart } from "../health/uptime";
import { recordRequest } from "../metrics/recorder";
import { log } from "../log";

/** The route pattern that answered, e.g. /api/v1/chat/history/:session_id; unmatched paths are not echoed. */
function routeOf(c: Context<AppEnv>): string {
  const pattern = routePath(c, -1);
  return pattern.endsWith("*") ? "(unmatched)" : pattern;
}

function sessionOf(c: Context<AppEnv>, route: string): string | undefined {
  const known = c.get("sessionId");
  if (known) return known;
  if (!route.includes(":session_id")) return undefined;
  // The param of the matched route, read back from the path (params are scoped to the handler).
  const names: string[] = [];
  const pattern = route.replace(/:([A-Za-z_]+)/g, (_, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  const match = new URL(c.req.url).pathname.match(new RegExp(`^${pattern}$`));
  const index = names.indexOf("session_id");
  return match && index >= 0 ? safeDecode(match[index + 1]!) : undefined;
}

// A malformed escape (`%ZZ`) must not throw here: the line would be lost and the answer turned into a 500.
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// A timer, not a microtask: microtasks run before the runtime sends the response.
const afterResponse = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * One JSON line per request (method, route pattern, status, duration_ms, key_id, session_id,
 * request_id; never the key) and one sample for the metrics. The line is written after the response
 * has gone, inside waitUntil: it costs CPU (in `wrangler dev`, more than the rest of a cached read),
 * which no client needs to wait for.
 */
export const accessLog = (): MiddlewareHandler<AppEnv> =>
  async function accessLog(c, next) {
    markIsolateStart();
    const started = performance.now();
    await next();
    // performance.now() advances with I/O in Workers, which is what a request's duration is made of.
    const durationMs = Math.round((performance.now() - started) * 10) / 10;
    const route = routeOf(c);
    const line = {
      method: c.req.method,
      route,
      status: c.res.status,
      duration_ms: durationMs,
      key_id: c.get("caller")?.keyId ?? null,
      session_id: sessionOf(c, route) ?? null,
      request_id: c.get("requestId"),
    };
    // Counted now (a push to this isolate's buffer), so the next request's /metrics already sees it.
    recordRequest(c.env, c.executionCtx, { at: Date.now(), status: c.res.status, durationMs });
    c.executionCtx.waitUntil(afterResponse().then(() => log("info", "request", line)));
  };

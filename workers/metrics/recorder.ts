import type { Env } from "../env";
import type { RequestSample } from "../durable-objects/request-metrics/request-metrics";

/**
 * Counting off the request path: samples wait in this isolate's buffer and go to the RequestMetrics
 * object in batches, inside `waitUntil`, at most every FLUSH_EVERY_MS or every FLUSH_AT samples.
 * What an isolate still holds when it is evicted is lost (at most one interval of its traffic);
 * GET /metrics flushes the buffer of the isolate that serves it before reading.
 */
const FLUSH_EVERY_MS = 1000;
const FLUSH_AT = 100;

let buffer: RequestSample[] = [];
let lastFlushAt = 0;

export const metricsStub = (env: Env) => env.REQUEST_METRICS.get(env.REQUEST_METRICS.idFromName("global"));

export async function flushMetrics(env: Env): Promise<void> {
  if (buffer.length === 0) return;
  const batch = buffer;
  buffer = [];
  lastFlushAt = Date.now();
  try {
    await metricsStub(env).record(batch);
  } catch (error) {
    console.error(JSON.stringify({ level: "error", msg: "metrics flush failed", samples: batch.length, error: String(error) }));
  }
}

export function recordRequest(env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }, sample: RequestSample) {
  buffer.push(sample);
  if (buffer.length >= FLUSH_AT || sample.at - lastFlushAt >= FLUSH_EVERY_MS) ctx.waitUntil(flushMetrics(env));
}

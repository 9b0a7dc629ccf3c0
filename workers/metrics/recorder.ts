import type { Env, WaitUntil } from "../env";
import type { RequestSample } from "../durable-objects/request-metrics/request-metrics";
import { errorText, log } from "../log";

/**
 * Counting off the request path: a finished request's sample joins this isolate's buffer, and the
 * buffer goes to the RequestMetrics object in one call (inside the request's waitUntil, after the
 * response) once its oldest sample is FLUSH_EVERY_MS old or it holds FLUSH_AT_SAMPLES. GET /metrics
 * flushes its own isolate first. So its counts miss at most the last FLUSH_EVERY_MS of other isolates'
 * requests, and the few an isolate buffered before going quiet (counted at its next request, or lost
 * if the runtime evicts it first). There is no timer: a delayed flush would hold every request's
 * context open for seconds.
 */
const FLUSH_EVERY_MS = 5000;
const FLUSH_AT_SAMPLES = 100;

let buffer: RequestSample[] = [];

export const metricsStub = (env: Env) => env.REQUEST_METRICS.get(env.REQUEST_METRICS.idFromName("global"));

/** Sends whatever this isolate still holds; awaited by GET /metrics. */
export async function flushMetrics(env: Env): Promise<void> {
  if (buffer.length === 0) return;
  const batch = buffer;
  buffer = [];
  try {
    await metricsStub(env).record(batch);
  } catch (error) {
    log("error", "metrics_flush_failed", { samples: batch.length, error: errorText(error) });
  }
}

export function recordRequest(env: Env, ctx: WaitUntil, sample: RequestSample) {
  buffer.push(sample);
  if (buffer.length >= FLUSH_AT_SAMPLES || sample.at - buffer[0]!.at >= FLUSH_EVERY_MS) ctx.waitUntil(flushMetrics(env));
}

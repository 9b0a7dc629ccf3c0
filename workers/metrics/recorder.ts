import type { Env } from "../env";
import type { RequestSample } from "../durable-objects/request-metrics/request-metrics";
import { errorText, log } from "../log";

/**
 * Counting off the request path: a finished request's sample joins this isolate's buffer, and the
 * buffer goes to the RequestMetrics object inside `waitUntil`, after the response. One send is in
 * flight at a time; samples that arrive meanwhile wait and leave together in the next batch, so under
 * load the batches grow instead of the calls. GET /metrics flushes what is left before reading.
 */
let buffer: RequestSample[] = [];
let sendingSince: number | undefined;

// A send whose request context was torn down never settles; after this long it no longer blocks others.
const STUCK_AFTER_MS = 5000;

export const metricsStub = (env: Env) => env.REQUEST_METRICS.get(env.REQUEST_METRICS.idFromName("global"));

async function send(env: Env, batch: RequestSample[]) {
  try {
    await metricsStub(env).record(batch);
  } catch (error) {
    log("error", "metrics_flush_failed", { samples: batch.length, error: errorText(error) });
  }
}

async function drain(env: Env) {
  sendingSince = Date.now();
  try {
    while (buffer.length > 0) {
      const batch = buffer;
      buffer = [];
      await send(env, batch);
    }
  } finally {
    sendingSince = undefined;
  }
}

/** Sends whatever this isolate still holds; awaited by GET /metrics. */
export async function flushMetrics(env: Env): Promise<void> {
  if (buffer.length === 0) return;
  const batch = buffer;
  buffer = [];
  await send(env, batch);
}

export function recordRequest(env: Env, ctx: { waitUntil(promise: Promise<unknown>): void }, sample: RequestSample) {
  buffer.push(sample);
  const sending = sendingSince !== undefined && sample.at - sendingSince < STUCK_AFTER_MS;
  if (!sending) ctx.waitUntil(drain(env));
}

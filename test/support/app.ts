import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { createApp } from "../../workers/app";
import type { Env } from "../../workers/env";
import { ADMIN_KEY, readResponse, type Call } from "./api";
import { env } from "./env";

const app = createApp();

/**
 * Calls the app inside workerd with the test bindings plus `overrides` (a lower RATE_LIMIT_PER_MINUTE,
 * an Upstash URL, a dead LLM): the seam for configuration that the Worker's own bindings fix per run.
 * Waits for the request's waitUntil work, so counters are flushed when it returns.
 */
export async function callWith(overrides: Partial<Env>, method: string, path: string, call: Call = {}) {
  const headers: Record<string, string> = { ...call.headers };
  const key = call.key === undefined ? ADMIN_KEY : call.key;
  if (key) headers.Authorization = `Bearer ${key}`;
  if (call.body !== undefined) headers["Content-Type"] ??= "application/json";
  const ctx = createExecutionContext();
  const response = await app.request(
    path,
    { method, headers, body: call.rawBody ?? (call.body === undefined ? undefined : JSON.stringify(call.body)) },
    { ...env, ...overrides },
    ctx,
  );
  const result = await readResponse(response);
  await waitOnExecutionContext(ctx);
  return result;
}

/** A distinct identifier per test, so limits counted in one test never leak into another. */
export const freshIp = () => `198.51.100.${Math.floor(Math.random() * 250) + 1}-${crypto.randomUUID().slice(0, 8)}`;

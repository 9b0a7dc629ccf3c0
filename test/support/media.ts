import { Webhook } from "standardwebhooks";
import { expect } from "vitest";
import { api } from "./api";
import { env } from "./env";
import { TEST_PUBLIC_BASE_URL, TEST_WEBHOOK_SECRET } from "./gpu-constants";

interface OutboxEntry {
  seq: number;
  url: string;
  headers: Record<string, string>;
  body: string;
}

let cursor: number | undefined;

/** The emulator's webhooks since the last call (shared by every test file: others' jobs are unknown here). */
export async function takeWebhooks(): Promise<OutboxEntry[]> {
  const res = await fetch(`${env.GPU_ENDPOINT_URL}/__emulator/webhooks?after=${cursor ?? 0}`);
  const { webhooks } = (await res.json()) as { webhooks: OutboxEntry[] };
  if (webhooks.length) cursor = webhooks.at(-1)!.seq;
  return webhooks;
}

/** Posts a webhook, as the emulator signed it, to the Worker. */
export function deliver(hook: Pick<OutboxEntry, "url" | "headers" | "body">, headers: Record<string, string> = {}) {
  const url = new URL(hook.url);
  return api("POST", `${url.pathname}${url.search}`, { key: null, rawBody: hook.body, headers: { ...hook.headers, ...headers } });
}

/**
 * Delivers every pending webhook of this file's jobs (the emulator's POSTs, made by the test in workerd's
 * place). The emulator is shared by all test files running at once; the others' webhooks are skipped.
 */
export async function pumpWebhooks(): Promise<number> {
  const hooks = await takeWebhooks();
  const { results } = await env.DB.prepare("SELECT id FROM media_requests").all<{ id: string }>();
  const mine = new Set(results.map((r) => r.id));
  let delivered = 0;
  for (const hook of hooks) {
    const jobId = new URL(hook.url).pathname.split("/").at(-1)!;
    if (!hook.url.startsWith(TEST_PUBLIC_BASE_URL) || !mine.has(jobId)) continue;
    const res = await deliver(hook);
    expect(res.status, res.text).toBe(200);
    delivered++;
  }
  return delivered;
}

/** Skips webhooks made so far (e.g. by other files), so a test starts from a clean outbox. */
export async function drainWebhooks() {
  await takeWebhooks();
}

export const status = (id: string, key?: string) => api("GET", `/api/v1/media/status/${id}`, { key });

/** Delivers webhooks and polls the status until `done` holds; answers every status seen on the way. */
export async function waitForStatus(id: string, done: (s: any) => boolean, timeoutMs = 15_000, key?: string) {
  const seen: any[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await pumpWebhooks();
    const res = await status(id, key);
    expect(res.status, res.text).toBe(200);
    seen.push(res.json);
    if (done(res.json)) return seen;
    if (Date.now() > deadline) throw new Error(`timed out waiting on ${id}: last ${res.text}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

export const terminal = (s: any) => ["completed", "failed", "canceled"].includes(s.status);

/** Reads an asset from the Worker as bytes. */
export async function asset(path: string, headers: Record<string, string> = {}) {
  const { exports } = await import("cloudflare:workers");
  const worker = (exports as unknown as { default: Fetcher }).default;
  const response = await worker.fetch(`http://localhost${path}`, { headers });
  return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}

const signer = new Webhook(TEST_WEBHOOK_SECRET);

/** A Replicate webhook for `url` with `body`, signed as Replicate signs (time and id changeable). */
export function signedWebhook(url: string, body: string, at = new Date(), id = `msg_${crypto.randomUUID().replaceAll("-", "")}`) {
  return {
    url,
    body,
    headers: {
      "Content-Type": "application/json",
      "webhook-id": id,
      "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
      "webhook-signature": signer.sign(id, at, body),
    },
  };
}

/** Starts a voice job and collects its webhooks up to the succeeded one, delivering none. */
export async function voiceJobHooks(text: string, timeoutMs = 20_000) {
  await drainWebhooks();
  const res = await api("POST", "/api/v1/media/voice", { body: { text } });
  const id = res.json.request_id as string;
  const hooks: OutboxEntry[] = [];
  const isSucceeded = (hook: OutboxEntry) => JSON.parse(hook.body).status === "succeeded";
  for (const deadline = Date.now() + timeoutMs; !hooks.some(isSucceeded); ) {
    if (Date.now() > deadline) throw new Error(`no succeeded webhook for ${id} within ${timeoutMs} ms`);
    hooks.push(...(await takeWebhooks()).filter((h) => h.url.endsWith(`/${id}`)));
    await new Promise((r) => setTimeout(r, 50));
  }
  return { id, hooks, succeeded: hooks.find(isSucceeded)! };
}

/** Delivers the emulator's webhooks until `work` settles: for a voiced reply's SSE stream, open until its audio is made. */
export async function whilePumping<T>(work: Promise<T>): Promise<T> {
  let done = false;
  const settled = work.finally(() => (done = true));
  while (!done) {
    await pumpWebhooks();
    await Promise.race([settled.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 40))]);
  }
  return settled;
}

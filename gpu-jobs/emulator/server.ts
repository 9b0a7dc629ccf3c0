/**
 * A local GPU provider for development and tests. It speaks two APIs on one port:
 * - Replicate's: POST /v1/models/{owner}/{name}/predictions, POST /v1/predictions, GET /v1/predictions/{id},
 *   POST /v1/predictions/{id}/cancel; webhooks signed like Replicate's (webhook-id, webhook-timestamp,
 *   webhook-signature: HMAC-SHA256 keyed by the whsec_ secret), sent for the requested events;
 * - Cog's: GET /health-check, PUT /predictions/{id} with `Prefer: respond-async` (idempotent), POST
 *   /predictions/{id}/cancel; webhooks carry `Authorization: Bearer <WEBHOOK_AUTH_TOKEN>`, files as data URIs.
 * It makes real files: a WAV whose length follows the text and speed, and a Motion-JPEG MP4 (a talking
 * face as long as the driving audio, or a scene of the requested length). Progress goes into `logs`
 * like tqdm's bars. Every webhook is kept in an outbox (GET /__emulator/webhooks?after=N), and posted to
 * its URL when `deliver` is on: tests inside workerd have no listening Worker, so they fetch the outbox
 * and hand each signed request to the Worker themselves.
 * Faults, by a marker anywhere in the input: [[submit-fail]] (503 on create), [[flaky]] (503 on the
 * first create only), [[fail]] (the model fails), [[hang]] (never finishes), [[no-webhook]] (finishes
 * silently), [[gone]] (the output URL answers 404), [[slow-submit]] (create answers after 20 s),
 * [[lost-answer]] (the prediction is created but the connection drops before the answer), [[huge]] (the
 * output is a 40 MiB WAV sent without Content-Length), [[redirect]] (the output URL redirects to another
 * origin, `localhost` in place of `127.0.0.1`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { buildMjpegMp4, faceFrame } from "./mp4.ts";
import { synthesizeSpeech, wavSeconds } from "./wav.ts";

export interface GpuEmulatorOptions {
  port?: number;
  /** Replicate API token it accepts (any Bearer token when unset). */
  apiToken?: string;
  /** whsec_... secret that signs Replicate-style webhooks. */
  webhookSecret: string;
  /** Bearer token on Cog-style webhooks (Cog's WEBHOOK_AUTH_TOKEN). */
  cogWebhookToken?: string;
  /** Milliseconds per progress step (5 steps per prediction). */
  stepMs?: number;
  /** POST webhooks to their URLs (npm start); off in tests, which read the outbox. */
  deliver?: boolean;
  log?: (line: string) => void;
}

export interface OutboxEntry {
  seq: number;
  url: string;
  headers: Record<string, string>;
  body: string;
}

interface Prediction {
  id: string;
  api: "replicate" | "cog";
  model: string;
  version: string;
  input: Record<string, unknown>;
  status: "starting" | "processing" | "succeeded" | "failed" | "canceled";
  logs: string;
  output: string | null;
  error: string | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  webhook?: string;
  events: string[];
}

export interface RunningGpuEmulator {
  url: string;
  outbox: OutboxEntry[];
  close(): Promise<void>;
}

const STEPS = 5;
// Unref: a pending fault delay must not keep a test run (or npm start) alive after close().
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

async function readJson(req: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : {};
}

const HUGE_BYTES = 40 * 1024 * 1024;

/** A 40 MiB WAV, chunked (no Content-Length): a header that says so, then silence, made as it is sent. */
function sendHuge(res: ServerResponse) {
  const header = Buffer.alloc(44);
  header.write("RIFF", 0);
  header.writeUInt32LE(HUGE_BYTES - 8, 4);
  header.write("WAVEfmt ", 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(24_000, 24);
  header.writeUInt32LE(48_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36);
  header.writeUInt32LE(HUGE_BYTES - 44, 40);
  res.writeHead(200, { "Content-Type": "audio/wav" });
  const chunk = Buffer.alloc(256 * 1024);
  let sent = 0;
  const more = () => {
    if (sent === 0) {
      res.write(header);
      sent = header.length;
    }
    while (sent < HUGE_BYTES && !res.destroyed) {
      const piece = chunk.subarray(0, Math.min(chunk.length, HUGE_BYTES - sent));
      sent += piece.length;
      if (!res.write(piece)) return void res.once("drain", more);
    }
    res.end();
  };
  res.on("close", () => (sent = HUGE_BYTES));
  more();
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

export async function startGpuEmulator(options: GpuEmulatorOptions): Promise<RunningGpuEmulator> {
  const stepMs = options.stepMs ?? 150;
  const log = options.log ?? (() => {});
  const signer = new Webhook(options.webhookSecret);
  const predictions = new Map<string, Prediction>();
  const files = new Map<string, { type: string; bytes: Uint8Array }>();
  const flakySeen = new Set<string>();
  const outbox: OutboxEntry[] = [];
  let seq = 0;
  let base = "";

  const publicView = (p: Prediction) => ({
    id: p.id,
    model: p.model,
    version: p.version,
    input: p.input,
    logs: p.logs,
    output: p.output,
    error: p.error,
    status: p.status,
    created_at: p.created_at,
    started_at: p.started_at,
    completed_at: p.completed_at,
    urls: { get: `${base}/v1/predictions/${p.id}`, cancel: `${base}/v1/predictions/${p.id}/cancel` },
    webhook: p.webhook,
    metrics: p.completed_at && p.started_at ? { predict_time: (Date.parse(p.completed_at) - Date.parse(p.started_at)) / 1000 } : {},
  });

  function emit(p: Prediction, event: "start" | "output" | "logs" | "completed") {
    if (!p.webhook || !p.events.includes(event) || JSON.stringify(p.input).includes("[[no-webhook]]")) return;
    const body = JSON.stringify(publicView(p));
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (p.api === "replicate") {
      const id = `msg_${crypto.randomUUID().replaceAll("-", "")}`;
      const now = new Date();
      headers["webhook-id"] = id;
      headers["webhook-timestamp"] = String(Math.floor(now.getTime() / 1000));
      headers["webhook-signature"] = signer.sign(id, now, body);
    } else if (options.cogWebhookToken) {
      headers.Authorization = `Bearer ${options.cogWebhookToken}`;
    }
    const entry = { seq: ++seq, url: p.webhook, headers, body };
    outbox.push(entry);
    if (outbox.length > 5000) outbox.shift();
    if (options.deliver) {
      fetch(p.webhook, { method: "POST", headers, body }).then(
        (r) => log(`webhook ${event} ${p.id} -> ${r.status}`),
        (e) => log(`webhook ${event} ${p.id} failed: ${e}`),
      );
    }
  }

  async function produce(p: Prediction): Promise<{ type: string; bytes: Uint8Array }> {
    const input = p.input;
    const audioUrl = typeof input.driven_audio === "string" ? input.driven_audio : undefined;
    if (audioUrl) {
      const audio = await readAudio(audioUrl);
      const seconds = (audio && wavSeconds(audio)) || 3;
      const frames = [0, 0.5, 1, 0.3].map((open) => faceFrame(256, 256, open));
      return { type: "video/mp4", bytes: buildMjpegMp4({ width: 256, height: 256, fps: 10, durationSeconds: seconds, frame: (i) => frames[i % frames.length]! }) };
    }
    if (typeof input.prompt === "string" && (input.duration !== undefined || input.resolution !== undefined)) {
      const height = Number.parseInt(String(input.resolution ?? "480p"), 10) || 480;
      const [aw, ah] = String(input.aspect_ratio ?? "1:1").split(":").map(Number);
      const width = Math.round((height * (aw || 1)) / (ah || 1) / 16) * 16;
      const frames = [0, 1].map((k) => faceFrame(width, height, k, 120));
      return { type: "video/mp4", bytes: buildMjpegMp4({ width, height, fps: 2, durationSeconds: Number(input.duration ?? 5), frame: (i) => frames[i % 2]! }) };
    }
    const text = String(input.text ?? input.prompt ?? "");
    return { type: "audio/wav", bytes: synthesizeSpeech(text, Number(input.speed ?? 1)) };
  }

  async function readAudio(url: string): Promise<Uint8Array | undefined> {
    if (url.startsWith("data:")) return new Uint8Array(Buffer.from(url.slice(url.indexOf(",") + 1), "base64"));
    const own = url.startsWith(base) ? files.get(new URL(url).pathname.split("/").pop()!) : undefined;
    if (own) return own.bytes;
    try {
      const res = await fetch(url);
      return res.ok ? new Uint8Array(await res.arrayBuffer()) : undefined;
    } catch {
      return undefined;
    }
  }

  async function run(p: Prediction) {
    const marker = (m: string) => JSON.stringify(p.input).includes(m);
    await sleep(stepMs);
    if (p.status === "canceled") return;
    p.status = "processing";
    p.started_at = new Date().toISOString();
    p.logs = "Loading model\n";
    emit(p, "start");
    for (let step = 1; step <= STEPS; step++) {
      await sleep(stepMs);
      if (p.status !== "processing") return;
      if (marker("[[hang]]") && step === 2) return;
      const pct = Math.round((step / STEPS) * 100);
      p.logs += `${String(pct).padStart(3)}%|${"#".repeat(step * 2).padEnd(STEPS * 2)}| ${step}/${STEPS}\n`;
      log(`${p.id} ${p.model} ${pct}%`);
      if (step < STEPS) emit(p, "logs");
    }
    p.completed_at = new Date().toISOString();
    if (marker("[[fail]]")) {
      p.status = "failed";
      p.error = "emulated model failure";
    } else {
      const file = await produce(p);
      const name = `${p.id}.${file.type === "video/mp4" ? "mp4" : "wav"}`;
      if (!marker("[[gone]]")) files.set(name, file);
      p.output =
        p.api === "cog"
          ? `data:${file.type};base64,${Buffer.from(file.bytes).toString("base64")}`
          : marker("[[huge]]")
            ? `${base}/huge/${name}`
            : marker("[[redirect]]")
              ? `${base}/redirect/${name}`
              : `${base}/files/${name}`;
      p.status = "succeeded";
      emit(p, "output");
    }
    log(`${p.id} ${p.status}`);
    emit(p, "completed");
  }

  async function create(p: Prediction, res: ServerResponse, status: number) {
    const key = JSON.stringify(p.input);
    if (key.includes("[[submit-fail]]") || (key.includes("[[flaky]]") && !flakySeen.has(key))) {
      flakySeen.add(key);
      return send(res, 503, { detail: "emulated provider outage" });
    }
    if (key.includes("[[slow-submit]]")) await sleep(20_000);
    predictions.set(p.id, p);
    run(p).catch((e) => log(`run ${p.id} crashed: ${e}`));
    // Created, but the caller never hears so: what a timeout or a dropped connection looks like.
    if (key.includes("[[lost-answer]]")) return void res.destroy();
    send(res, status, publicView(p));
  }

  const newPrediction = (api: Prediction["api"], id: string, model: string, version: string, body: any): Prediction => ({
    id,
    api,
    model,
    version,
    input: body.input ?? {},
    status: "starting",
    logs: "",
    output: null,
    error: null,
    created_at: new Date().toISOString(),
    started_at: null,
    completed_at: null,
    webhook: body.webhook,
    events: body.webhook_events_filter ?? (api === "cog" ? ["start", "output", "logs", "completed"] : ["start", "output", "logs", "completed"]),
  });

  /** Replicate's list: newest first, 100 a page, `next` the URL of the page after. */
  function listPage(cursor: number) {
    const all = [...predictions.values()].filter((p) => p.api === "replicate").reverse();
    const page = all.slice(cursor, cursor + 100);
    return { previous: null, next: cursor + 100 < all.length ? `${base}/v1/predictions?cursor=${cursor + 100}` : null, results: page.map(publicView) };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", base);
    const path = url.pathname;
    if (path.startsWith("/files/")) {
      const file = files.get(path.slice("/files/".length));
      if (!file) return send(res, 404, { detail: "Not found" });
      res.writeHead(200, { "Content-Type": file.type, "Content-Length": file.bytes.length });
      return res.end(file.bytes);
    }
    if (path.startsWith("/huge/")) return sendHuge(res);
    if (path.startsWith("/redirect/")) {
      res.writeHead(302, { Location: `${base.replace("127.0.0.1", "localhost")}/files/${path.slice("/redirect/".length)}` });
      return res.end();
    }
    if (path === "/__emulator/webhooks") {
      const after = Number(url.searchParams.get("after") ?? 0);
      return send(res, 200, { webhooks: outbox.filter((w) => w.seq > after) });
    }
    if (path === "/health-check") return send(res, 200, { status: "READY", setup: { status: "succeeded" } });

    // Cog
    const cog = path.match(/^\/predictions\/([A-Za-z0-9_-]+)(\/cancel)?$/);
    if (cog) {
      const existing = predictions.get(cog[1]!);
      if (cog[2]) {
        if (existing && !existing.completed_at) existing.status = "canceled";
        return send(res, existing ? 200 : 404, {});
      }
      if (req.method !== "PUT") return send(res, 405, { detail: "Method not allowed" });
      const body = await readJson(req);
      if (existing) return send(res, 202, publicView(existing)); // idempotent retry
      if (!/respond-async/.test(String(req.headers.prefer ?? ""))) return send(res, 400, { detail: "this emulator answers only Prefer: respond-async" });
      return create(newPrediction("cog", cog[1]!, "cog", "local", body), res, 202);
    }

    // Replicate
    if (!path.startsWith("/v1/")) return send(res, 404, { detail: "Not found" });
    const auth = req.headers.authorization ?? "";
    if (!/^Bearer \S+/.test(auth) || (options.apiToken && auth !== `Bearer ${options.apiToken}`)) {
      return send(res, 401, { title: "Unauthenticated", detail: "You did not pass a valid authentication token", status: 401 });
    }
    // The account behind the token: what the API's health probe asks Replicate.
    if (path === "/v1/account" && req.method === "GET") return send(res, 200, { type: "organization", username: "gpu-emulator", name: "Local GPU emulator", github_url: null });
    const id = () => crypto.randomUUID().replaceAll("-", "").slice(0, 26);
    const byModel = path.match(/^\/v1\/models\/([^/]+)\/([^/]+)\/predictions$/);
    if (byModel && req.method === "POST") {
      return create(newPrediction("replicate", id(), `${byModel[1]}/${byModel[2]}`, "latest", await readJson(req)), res, 201);
    }
    if (path === "/v1/predictions" && req.method === "POST") {
      const body = await readJson(req);
      const [model, version] = String(body.version ?? "").includes(":") ? String(body.version).split(":") : ["unknown/model", String(body.version)];
      return create(newPrediction("replicate", id(), model!, version!, body), res, 201);
    }
    if (path === "/v1/predictions" && req.method === "GET") return send(res, 200, listPage(Number(url.searchParams.get("cursor") ?? 0)));
    const one = path.match(/^\/v1\/predictions\/([A-Za-z0-9]+)(\/cancel)?$/);
    if (one) {
      const p = predictions.get(one[1]!);
      if (!p) return send(res, 404, { detail: "Not found" });
      if (one[2] && req.method === "POST") {
        if (!p.completed_at) {
          p.status = "canceled";
          p.completed_at = new Date().toISOString();
          emit(p, "completed");
        }
      }
      return send(res, 200, publicView(p));
    }
    send(res, 404, { detail: "Not found" });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      log(`error: ${e}`);
      if (!res.headersSent) send(res, 500, { detail: String(e) });
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    outbox,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

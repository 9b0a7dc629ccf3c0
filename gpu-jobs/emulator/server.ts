/**
 * A local GPU provider for development and tests, on Hono on Node. It speaks two APIs on one port:
 * Replicate's (replicate-routes.ts, under /v1; webhooks signed like Replicate's) and Cog's
 * (cog-routes.ts; webhooks carry `Authorization: Bearer <WEBHOOK_AUTH_TOKEN>`, files as data URIs).
 * It makes real files (outputs.ts): a WAV whose length follows the text and speed, and an H.264 MP4
 * that browsers play (a talking face as long as the driving audio, with it as sound, or a scene of the
 * requested length; encode-mp4.ts runs the ffmpeg binary of the @ffmpeg-installer devDependency). Progress goes into
 * `logs` like tqdm's bars (predictions.ts). Every webhook is kept in an outbox (GET
 * /__emulator/webhooks?after=N), and posted to its URL when `deliver` is on: tests inside workerd have no
 * listening Worker, so they fetch the outbox and hand each signed request to the Worker themselves.
 * GET /__emulator/predictions lists every prediction with its timings, without the API token.
 * Faults, by a marker anywhere in the input: [[submit-fail]] (503 on create), [[flaky]] (503 on the
 * first create only), [[fail]] (the model fails), [[hang]] (never finishes; [[gpu-hang]] too, a marker
 * the LLM emulator ignores, for speech of a chat reply), [[no-webhook]] (finishes
 * silently), [[gone]] (the output URL answers 404), [[slow-submit]] (create answers after 20 s),
 * [[lost-answer]] (the prediction is created but the connection drops before the answer), [[huge]] (the
 * output is a 40 MiB WAV sent without Content-Length), [[redirect]] (the output URL redirects to another
 * origin, `localhost` in place of `127.0.0.1`), [[moov-last]] (a video's moov after its mdat), [[mjpeg]]
 * (a Motion-JPEG video, which browsers refuse).
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createAdaptorServer } from "@hono/node-server";
import { Hono } from "hono";
import { cogRoutes } from "./cog-routes.ts";
import { fileRoutes } from "./file-routes.ts";
import type { EmulatorEnv } from "./http.ts";
import { ModelRegistry } from "./model-registry.ts";
import { Predictions } from "./predictions.ts";
import { replicateRoutes } from "./replicate-routes.ts";
import { WebhookOutbox, type OutboxEntry } from "./webhook-outbox.ts";

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

export interface RunningGpuEmulator {
  url: string;
  outbox: OutboxEntry[];
  close(): Promise<void>;
}

export async function startGpuEmulator(options: GpuEmulatorOptions): Promise<RunningGpuEmulator> {
  const log = options.log ?? (() => {});
  const outbox = new WebhookOutbox({ webhookSecret: options.webhookSecret, cogWebhookToken: options.cogWebhookToken, deliver: options.deliver, log });
  const predictions = new Predictions({ stepMs: options.stepMs ?? 150, outbox, log });
  const models = new ModelRegistry();

  const app = new Hono<EmulatorEnv>()
    .route("/", fileRoutes(predictions))
    .get("/__emulator/webhooks", (c) => c.json({ webhooks: outbox.after(Number(c.req.query("after") ?? 0)) }))
    // Every prediction of both APIs, oldest first, as Replicate shows them (timings included): for tests
    // and benchmarks that do not know the run's API token.
    .get("/__emulator/predictions", (c) => c.json({ predictions: [...predictions.byId.values()].map((p) => predictions.view(p)) }))
    .route("/__emulator/models", models.routes())
    .route("/", cogRoutes(predictions))
    .route("/v1", replicateRoutes(predictions, models, options.apiToken));
  app.notFound((c) => c.json({ detail: "Not found" }, 404));
  app.onError((error, c) => {
    log(`error: ${error}`);
    return c.json({ detail: String(error) }, 500);
  });

  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  predictions.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: predictions.base,
    outbox: outbox.entries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The emulator's predictions: created by either API, run in five progress steps whose logs read like
 * tqdm's bars, finished with a real file (or a fault), and announced through the webhook outbox.
 */
import { produceOutput, readAudioFrom, type EmulatedFile } from "./outputs.ts";
import type { WebhookOutbox } from "./webhook-outbox.ts";
import { sleep } from "../../shared/sleep.ts";

export type WebhookEvent = "start" | "output" | "logs" | "completed";
const ALL_EVENTS: WebhookEvent[] = ["start", "output", "logs", "completed"];

/** What a create asks for, in both APIs. */
export interface CreateBody {
  input?: Record<string, unknown>;
  webhook?: string;
  webhook_events_filter?: WebhookEvent[];
  /** Replicate's `owner/name:version` or a bare version id. */
  version?: string;
}

export interface Prediction {
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
  events: WebhookEvent[];
}

export interface PredictionsOptions {
  /** Milliseconds per progress step. */
  stepMs: number;
  outbox: WebhookOutbox;
  log: (line: string) => void;
}

/** How a create went: refused by an emulated outage, created but its answer lost, or created. */
export type CreateOutcome = "outage" | "lost" | "created";

const STEPS = 5;
// Unref: a pending fault delay must not keep a test run (or npm start) alive after close().

/** A fault marker (server.ts lists them) anywhere in a prediction's input. */
const hasMarker = (input: unknown, marker: string) => JSON.stringify(input).includes(marker);

export class Predictions {
  readonly byId = new Map<string, Prediction>();
  /** Outputs served under /files/{name}. */
  readonly files = new Map<string, EmulatedFile>();
  /** The emulator's origin, set once it listens. */
  base = "";
  private readonly flakySeen = new Set<string>();
  // Node runs this file by stripping types, which leaves no room for parameter properties.
  private readonly options: PredictionsOptions;

  constructor(options: PredictionsOptions) {
    this.options = options;
  }

  newPrediction(api: Prediction["api"], id: string, model: string, version: string, body: CreateBody): Prediction {
    return {
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
      events: body.webhook_events_filter ?? ALL_EVENTS,
    };
  }

  /** A prediction as Replicate's API shows it (Cog's answers use the same shape). */
  view(p: Prediction) {
    return {
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
      urls: { get: `${this.base}/v1/predictions/${p.id}`, cancel: `${this.base}/v1/predictions/${p.id}/cancel` },
      webhook: p.webhook,
      metrics: p.completed_at && p.started_at ? { predict_time: (Date.parse(p.completed_at) - Date.parse(p.started_at)) / 1000 } : {},
    };
  }

  /** Stores and starts a prediction, unless a fault marker in its input says otherwise. */
  async create(p: Prediction): Promise<CreateOutcome> {
    const key = JSON.stringify(p.input);
    if (key.includes("[[submit-fail]]") || (key.includes("[[flaky]]") && !this.flakySeen.has(key))) {
      this.flakySeen.add(key);
      return "outage";
    }
    if (key.includes("[[slow-submit]]")) await sleep(20_000);
    this.byId.set(p.id, p);
    this.run(p).catch((error) => this.options.log(`run ${p.id} crashed: ${error}`));
    return key.includes("[[lost-answer]]") ? "lost" : "created";
  }

  emit(p: Prediction, event: WebhookEvent): void {
    if (!p.webhook || !p.events.includes(event) || hasMarker(p.input, "[[no-webhook]]")) return;
    this.options.outbox.post(p.api, p.webhook, JSON.stringify(this.view(p)), `${event} ${p.id}`);
  }

  private async run(p: Prediction): Promise<void> {
    const { stepMs, log } = this.options;
    const marker = (m: string) => hasMarker(p.input, m);
    await sleep(stepMs);
    if (p.status === "canceled") return;
    p.status = "processing";
    p.started_at = new Date().toISOString();
    p.logs = "Loading model\n";
    this.emit(p, "start");
    for (let step = 1; step <= STEPS; step++) {
      await sleep(stepMs);
      if (p.status !== "processing") return;
      if ((marker("[[hang]]") || marker("[[gpu-hang]]")) && step === 2) return;
      const pct = Math.round((step / STEPS) * 100);
      p.logs += `${String(pct).padStart(3)}%|${"#".repeat(step * 2).padEnd(STEPS * 2)}| ${step}/${STEPS}\n`;
      log(`${p.id} ${p.model} ${pct}%`);
      if (step < STEPS) this.emit(p, "logs");
    }
    p.completed_at = new Date().toISOString();
    if (marker("[[fail]]")) {
      p.status = "failed";
      p.error = "emulated model failure";
    } else {
      const file = await produceOutput(p.input, (url) => readAudioFrom(url, (own) => this.ownFile(own)));
      const name = `${p.id}.${file.type === "video/mp4" ? "mp4" : "wav"}`;
      if (!marker("[[gone]]")) this.files.set(name, file);
      p.output = p.api === "cog" ? `data:${file.type};base64,${Buffer.from(file.bytes).toString("base64")}` : `${this.base}/${this.outputFolder(p)}/${name}`;
      p.status = "succeeded";
      this.emit(p, "output");
    }
    log(`${p.id} ${p.status}`);
    this.emit(p, "completed");
  }

  // Replicate's outputs are URLs: /huge and /redirect serve the faults (file-routes.ts).
  private outputFolder(p: Prediction): "files" | "huge" | "redirect" {
    if (hasMarker(p.input, "[[huge]]")) return "huge";
    return hasMarker(p.input, "[[redirect]]") ? "redirect" : "files";
  }

  private ownFile(url: string): EmulatedFile | undefined {
    return url.startsWith(this.base) ? this.files.get(new URL(url).pathname.split("/").pop()!) : undefined;
  }
}

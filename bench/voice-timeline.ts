/**
 * Where a voiced turn's time went, from what each process of the stack wrote down (bench/rows/voice.ts):
 * - the Worker: the chunks' rows (`created_at`: the chunk was cut), their status changes
 *   (`media_transitions.at`) and the webhooks it received (`media_webhooks.received_at`), read from D1's
 *   local SQLite file, read-only, as bench/tree-writes.ts reads a Durable Object's (WAL mode, one read
 *   transaction, no lock a writer waits on);
 * - the GPU emulator: each prediction's `created_at`, `started_at`, `completed_at`, from its webhook
 *   outbox (GET /__emulator/webhooks needs no token, and every webhook body is the prediction as
 *   Replicate's API shows it); the `completed` webhook's id ties it to the Worker's receipt;
 * - the LLM emulator: when it wrote each reply's first token (GET /__emulator/timings);
 * - miniflare's R2 (the local bucket's SQLite file, read alike): when each chunk's WAV was stored
 *   (`_mf_objects.uploaded`) and when its blob began to be written (the time miniflare puts at the end
 *   of a blob's id, ms in hex). miniflare's own layout, not an API: when it changes, that split is left out.
 * The Worker and the GPU emulator write wall-clock ISO times (ms); the bench and the LLM emulator
 * `performance.timeOrigin + performance.now()`. Everything is moved onto the bench's clock: the wall
 * clock through the bench's own Date.now() beside its epochMs(), the LLM emulator's through a measured
 * offset (bench/first-token.ts).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { clockOffset, timingsOf } from "./first-token.ts";
import { epochMs } from "./one-at-a-time.ts";

/** One chunk's way, in the bench's epoch ms. */
export interface ChunkTimes {
  seq: number;
  /** Worker: the chunk was cut and its row made. */
  cut: number;
  /** GPU emulator: the create arrived; the run began (after one step); it ended (before the WAV is made). */
  created: number;
  started: number;
  completed: number;
  /** Worker: the `completed` webhook received; the job moved to finalizing; to completed (its WAV in R2, probed). */
  webhookReceived: number;
  finalizing: number;
  /** miniflare's R2: the WAV's blob began to be written; its object row was written. Undefined if miniflare keeps them otherwise. */
  r2?: { blobStarted: number; uploaded: number };
  stored: number;
}

export interface TurnTimes {
  /** LLM emulator: the reply's first token written. */
  llmFirstToken: number;
  chunks: ChunkTimes[];
  /** The whole reply's audio: claimed for the join (queued -> finalizing), completed. */
  joinClaimed: number;
  joinCompleted: number;
}

export interface StackRecords {
  turns: Map<string, TurnTimes>;
  /** Every webhook of the session's jobs the Worker received, when. */
  receipts: number[];
  /** Of each reply whose audio never ended: what became of the chunks that never sent their frame. */
  stuck: string[];
  /** The LLM emulator's clock minus ours, and how sure that is. */
  llmClock: { offset: number; uncertainty: number };
}

const JOINED_SPEECH = "chatacter/joined-chunks";

/** The stack's D1 database file (miniflare keeps each D1 database as a Durable Object's SQLite). */
function d1File(persistDir: string): string {
  const dir = join(persistDir, "v3", "d1", "miniflare-D1DatabaseObject");
  const files = readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`expected one D1 database in ${dir}, found ${files.join(", ") || "none"}`);
  return join(dir, files[0]!);
}

interface D1Records {
  rows: { id: string; message_id: string; model: string; status: string; settings: string; prediction_id: string | null; created_at: string }[];
  transitions: { request_id: string; to_status: string; at: string }[];
  webhooks: { webhook_id: string; received_at: string }[];
}

function readD1(persistDir: string, sessionId: string): D1Records {
  const db = new DatabaseSync(d1File(persistDir), { readOnly: true });
  try {
    const { journal_mode } = db.prepare("PRAGMA journal_mode").get() as { journal_mode: string };
    if (journal_mode !== "wal") throw new Error(`D1's file is in ${journal_mode} mode, not WAL: reading it beside workerd could hold up its writes`);
    db.exec("BEGIN");
    const mine = "SELECT id FROM media_requests WHERE session_id = ?";
    const records = {
      rows: db.prepare("SELECT id, message_id, model, status, settings, prediction_id, created_at FROM media_requests WHERE session_id = ?").all(sessionId),
      transitions: db.prepare(`SELECT request_id, to_status, at FROM media_transitions WHERE request_id IN (${mine}) ORDER BY id`).all(sessionId),
      webhooks: db.prepare(`SELECT webhook_id, received_at FROM media_webhooks WHERE request_id IN (${mine})`).all(sessionId),
    } as unknown as D1Records;
    db.exec("COMMIT");
    return records;
  } finally {
    db.close();
  }
}

/** The WAVs miniflare's R2 stored, by the media request named in their custom metadata (empty when its layout is not the one known). */
function readR2(persistDir: string, toBench: (ms: number) => number): Map<string, { blobStarted: number; uploaded: number }> {
  const found = new Map<string, { blobStarted: number; uploaded: number }>();
  try {
    const dir = join(persistDir, "v3", "r2", "miniflare-R2BucketObject");
    for (const file of readdirSync(dir).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")) {
      const db = new DatabaseSync(join(dir, file), { readOnly: true });
      try {
        const rows = db.prepare("SELECT blob_id, uploaded, custom_metadata FROM _mf_objects WHERE key LIKE 'audio/%'").all() as {
          blob_id: string;
          uploaded: number;
          custom_metadata: string;
        }[];
        for (const row of rows) {
          const requestId = JSON.parse(row.custom_metadata).request_id;
          const blobStarted = Number.parseInt(row.blob_id.slice(-16), 16);
          // A blob id whose tail is not a time near the upload is a layout we do not know.
          if (typeof requestId !== "string" || !(Math.abs(row.uploaded - blobStarted) < 60_000)) continue;
          found.set(requestId, { blobStarted: toBench(blobStarted), uploaded: toBench(row.uploaded) });
        }
      } finally {
        db.close();
      }
    }
  } catch {
    // no such folder or table: a miniflare that keeps R2 otherwise
  }
  return found;
}

interface EmulatedPrediction {
  created: number;
  started: number;
  completed: number;
  completedWebhookId: string;
}

/** The GPU emulator's finished predictions, by id, from the `completed` webhooks it sent. */
async function emulatorPredictions(gpuOrigin: string, toBench: (iso: string) => number): Promise<Map<string, EmulatedPrediction>> {
  const { webhooks } = (await (await fetch(`${gpuOrigin}/__emulator/webhooks?after=0`)).json()) as {
    webhooks: { headers: Record<string, string>; body: string }[];
  };
  const found = new Map<string, EmulatedPrediction>();
  for (const { headers, body } of webhooks) {
    const p = JSON.parse(body);
    if (!p.completed_at || p.status !== "succeeded") continue;
    found.set(p.id, {
      created: toBench(p.created_at),
      started: toBench(p.started_at),
      completed: toBench(p.completed_at),
      completedWebhookId: headers["webhook-id"]!,
    });
  }
  return found;
}

/** Our epochMs minus the wall clock (Date.now(), what the Worker and the GPU emulator write), at best to a ms. */
function wallClockOffset(): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 20; i++) best = Math.min(best, epochMs() - Date.now());
  return best;
}

/**
 * What the stack recorded of the session's voiced turns, by reply id; `markers` (reply id to turn marker)
 * find the LLM's first tokens. `stuck` names replies whose audio never ended, to be diagnosed instead.
 */
export async function stackRecords(
  origins: { gpu: string; llm: string },
  persistDir: string,
  sessionId: string,
  markers: Map<string, string>,
  stuck: { turn: number; messageId: string; seqs: number[] }[],
): Promise<StackRecords> {
  const wall = wallClockOffset();
  const toBench = (iso: string | null | undefined) => {
    const ms = iso ? Date.parse(iso) : Number.NaN;
    if (Number.isNaN(ms)) throw new Error(`not a time: ${iso}`);
    return ms + wall;
  };
  const d1 = readD1(persistDir, sessionId);
  const r2 = readR2(persistDir, (ms) => ms + wall);
  const predictions = await emulatorPredictions(origins.gpu, toBench);
  const llmClock = await clockOffset(origins.llm);
  const { timings } = await timingsOf(origins.llm);
  const received = new Map(d1.webhooks.map((w) => [w.webhook_id, toBench(w.received_at)]));
  const movedTo = (id: string, status: string) => {
    const at = d1.transitions.find((t) => t.request_id === id && t.to_status === status)?.at;
    if (!at) throw new Error(`media request ${id} never moved to ${status}`);
    return toBench(at);
  };

  const turns = new Map<string, TurnTimes>();
  for (const [messageId, marker] of markers) {
    const rows = d1.rows.filter((r) => r.message_id === messageId);
    const joined = rows.find((r) => r.model === JOINED_SPEECH);
    if (!joined) throw new Error(`reply ${messageId} has no whole-audio row`);
    const chunks = rows
      .filter((r) => r !== joined)
      .map((r): ChunkTimes => {
        const p = r.prediction_id ? predictions.get(r.prediction_id) : undefined;
        if (!p) throw new Error(`chunk ${r.id} of reply ${messageId}: no finished prediction ${r.prediction_id} in the GPU emulator's outbox`);
        const { completedWebhookId, ...emulated } = p;
        const webhookReceived = received.get(completedWebhookId);
        if (webhookReceived === undefined) throw new Error(`chunk ${r.id}: the Worker recorded no receipt of webhook ${completedWebhookId}`);
        return {
          seq: Number(JSON.parse(r.settings).seq),
          cut: toBench(r.created_at),
          ...emulated,
          webhookReceived,
          finalizing: movedTo(r.id, "finalizing"),
          ...(r2.has(r.id) ? { r2: r2.get(r.id)! } : {}),
          stored: movedTo(r.id, "completed"),
        };
      })
      .sort((a, b) => a.seq - b.seq);
    const llm = timings.find((t) => t.lastUserMessage.includes(`${marker}:`));
    if (!llm?.firstTokenAt) throw new Error(`the LLM emulator has no first token for "${marker}"`);
    turns.set(messageId, {
      llmFirstToken: llm.firstTokenAt - llmClock.offset,
      chunks,
      joinClaimed: movedTo(joined.id, "finalizing"),
      joinCompleted: movedTo(joined.id, "completed"),
    });
  }
  const diagnoses = stuck.map(({ turn, messageId, seqs }) => {
    const lost = d1.rows.filter((r) => r.message_id === messageId && r.model !== JOINED_SPEECH && !seqs.includes(Number(JSON.parse(r.settings).seq)));
    const told = lost.map((r) => {
      const p = r.prediction_id ? predictions.get(r.prediction_id) : undefined;
      const got =
        p && received.has(p.completedWebhookId) ? "its completed webhook received" : p ? "its completed webhook not received" : "no finished prediction";
      const reached = d1.transitions.filter((t) => t.request_id === r.id).map((t) => t.to_status);
      return `chunk ${JSON.parse(r.settings).seq}: ${got}, job went ${reached.join(" -> ")}`;
    });
    return `turn ${turn}: ${told.join("; ") || "no chunk row left"}`;
  });
  return { turns, receipts: [...received.values()], stuck: diagnoses, llmClock };
}

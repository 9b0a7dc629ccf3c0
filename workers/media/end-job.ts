/**
 * Ending a job before its output: failed (with a message for clients), canceled (and settled, so what
 * waits on it ends too), or stopped (canceled with a reason, not settled: its chat message is gone).
 */
import { isTerminal } from "../../gpu-jobs/job-machine";
import { getDb } from "../db/client";
import type { MediaRequestRow } from "../db/schema";
import type { Env } from "../env";
import { gpuProvider } from "./gpu-provider";
import { nowIso, transitionJob } from "./job-transitions";
import { settleJob } from "./settle-job";
import { getJob } from "./store";
import { errorText, log } from "../log";

/** Fails a job with `message` for clients; `detail` (e.g. the provider's error text) is logged with the request id. */
export async function failJob(env: Env, id: string, code: string, message: string, source: string, detail?: string): Promise<void> {
  if (detail !== undefined) log("error", "media_job_failed", { request_id: id, source, message, detail: detail.slice(0, 2000) });
  const moved = await transitionJob(
    getDb(env.DB),
    id,
    () => ({ status: "failed", progress: 0, fields: { errorCode: code, errorMessage: message, completedAt: nowIso() } }),
    source,
  );
  if (moved) await settleJob(env, moved);
}

export async function cancelJob(env: Env, id: string, source: string): Promise<MediaRequestRow | undefined> {
  const db = getDb(env.DB);
  const row = await getJob(db, id);
  if (!row || isTerminal(row.status)) return row;
  if (row.predictionId) {
    // Best effort: the job is canceled on our side whatever the provider answers.
    await gpuProvider(env, row.provider)
      ?.cancel(row.predictionId)
      .catch(() => undefined);
  }
  const moved = await transitionJob(db, id, () => ({ status: "canceled", progress: 0, fields: { completedAt: nowIso() } }), source);
  if (moved) await settleJob(env, moved);
  return getJob(db, id);
}

/**
 * Ends an unfinished job as canceled with a reason, at the provider too, without settling it: for jobs
 * whose chat message is gone (forgetSessionMedia), so there is nothing to attach and nothing to chain.
 * A job that finished meanwhile stays as it is.
 */
export async function stopJob(env: Env, id: string, reason: string, source: string): Promise<void> {
  const moved = await transitionJob(
    getDb(env.DB),
    id,
    () => ({ status: "canceled", progress: 0, fields: { completedAt: nowIso(), errorCode: "CANCELED", errorMessage: reason } }),
    source,
  );
  if (!moved?.predictionId) return; // not sent yet: a create still on its way is canceled when it lands (adopt)
  try {
    await gpuProvider(env, moved.provider)?.cancel(moved.predictionId);
  } catch (error) {
    // Best effort: the job is canceled on our side whatever the provider answers, and its webhooks change nothing.
    log("warn", "provider_cancel_failed", { request_id: id, error: errorText(error) });
  }
}

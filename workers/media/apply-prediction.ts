/** A provider's report of a prediction (a webhook, the submit answer, the reconciler) applied to its job. */
import { progressFromLogs, statusOfPrediction } from "../../gpu-jobs/job-machine";
import type { Prediction } from "../../gpu-jobs/providers/types";
import { getDb } from "../db/client";
import type { Env } from "../env";
import { failJob } from "./end-job";
import { finalizeJob } from "./finalize-job";
import { nowIso, transitionJob } from "./job-transitions";
import { settleJob } from "./settle-job";

// What clients read when the model failed; the provider's own words go to the log only.
export const MODEL_FAILED = "The model could not generate this media";

export async function applyPrediction(env: Env, id: string, prediction: Prediction, source: string): Promise<void> {
  const mapped = statusOfPrediction(prediction.status);
  if (!mapped) return;
  if (mapped === "failed") {
    return failJob(env, id, "SERVICE_UNAVAILABLE", MODEL_FAILED, source, `the model failed: ${String(prediction.error ?? "no reason given")}`);
  }
  const db = getDb(env.DB);
  if (mapped === "canceled") {
    const moved = await transitionJob(db, id, () => ({ status: "canceled", progress: 0, fields: { completedAt: nowIso() } }), source);
    if (moved) await settleJob(env, moved);
    return;
  }
  const reported = progressFromLogs(prediction.logs);
  const moved = await transitionJob(
    db,
    id,
    (row) => ({
      status: mapped,
      progress: reported ?? row.progress,
      fields: mapped !== "queued" && !row.startedAt ? { startedAt: nowIso() } : undefined,
    }),
    source,
  );
  // Moving into `finalizing` is the claim: only the delivery that made it copies the output.
  if (moved?.status === "finalizing") await finalizeJob(env, moved, prediction, source);
}

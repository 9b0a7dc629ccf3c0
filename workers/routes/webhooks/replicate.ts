import { Hono } from "hono";
import type { Prediction } from "../../../gpu-jobs/providers/types";
import { replicateHeadersProblem, verifyReplicateWebhook } from "../../../gpu-jobs/webhooks";
import { config } from "../../config";
import { getDb } from "../../db/client";
import type { AppEnv } from "../../env";
import { applyPrediction } from "../../media/apply-prediction";
import { firstSighting, forgetSighting, getJob, touchJob } from "../../media/store";
import { asPrediction } from "./prediction";
import { readBodyText, rejectWebhook } from "./read-body";

// Replicate's events are a prediction's JSON with its logs: kilobytes. Nothing larger is read.
const MAX_REPLICATE_WEBHOOK_BYTES = 1024 * 1024;

/**
 * POST /webhooks/replicate/{request_id}: Replicate's events for one job. The signature headers are
 * checked before the body is read (missing, or a timestamp outside 5 minutes: 401), the body is read up
 * to 1 MiB, then verified (401 on a bad signature, nothing changed); a webhook id seen before is
 * acknowledged and ignored; the job machine drops stale and backwards events.
 */
export const replicateWebhook = new Hono<AppEnv>().post("/replicate/:request_id", async (c) => {
  const reject = (reason: string) => rejectWebhook(c.get("requestId"), "replicate", reason);
  const secret = config(c.env).media.replicateWebhookSecret;
  if (!secret) return reject("REPLICATE_WEBHOOK_SECRET is not set, so no signature can be checked");
  const problem = replicateHeadersProblem(c.req.raw.headers);
  if (problem) return reject(problem);
  const body = await readBodyText(c.req.raw, MAX_REPLICATE_WEBHOOK_BYTES);
  const verified = verifyReplicateWebhook(secret, c.req.raw.headers, body);
  if (!verified.ok) return reject(verified.reason);
  const prediction: Prediction = asPrediction(verified.payload);

  const db = getDb(c.env.DB);
  const id = c.req.param("request_id");
  const job = await getJob(db, id);
  // Acknowledged either way: an answer other than 2xx only makes Replicate send it again.
  if (job?.provider !== "replicate") return c.json({ received: true, applied: false, reason: "unknown request" }, 200);
  if (job.predictionId && job.predictionId !== prediction.id) return c.json({ received: true, applied: false, reason: "not this request's prediction" }, 200);
  if (!(await firstSighting(db, verified.webhookId, id))) return c.json({ received: true, applied: false, reason: "duplicate" }, 200);
  try {
    if (!job.predictionId) await touchJob(db, id, { predictionId: prediction.id });
    await applyPrediction(c.env, id, prediction, "webhook");
  } catch (error) {
    // Let Replicate's retry of a terminal event through again.
    await forgetSighting(db, verified.webhookId);
    throw error;
  }
  return c.json({ received: true, applied: true }, 200);
});

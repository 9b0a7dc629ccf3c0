import { Hono } from "hono";
import type { Prediction } from "../../../gpu-jobs/providers/types";
import { verifyReplicateWebhook } from "../../../gpu-jobs/webhooks";
import { ApiError } from "../../api-error";
import { getDb } from "../../db/client";
import type { AppEnv } from "../../env";
import { applyPrediction } from "../../media/lifecycle";
import { firstSighting, forgetSighting, getJob, touchJob } from "../../media/store";
import { asPrediction } from "./prediction";

/**
 * POST /webhooks/replicate/{request_id}: Replicate's events for one job. Verified before anything is
 * read (401 on a bad signature or a timestamp outside 5 minutes, nothing changed); a webhook id seen
 * before is acknowledged and ignored; the job machine drops stale and backwards events.
 */
export const replicateWebhook = new Hono<AppEnv>().post("/replicate/:request_id", async (c) => {
  const secret = c.env.REPLICATE_WEBHOOK_SECRET;
  if (!secret) throw new ApiError("UNAUTHORIZED", "Webhook signatures cannot be checked: REPLICATE_WEBHOOK_SECRET is not set");
  const body = await c.req.text();
  const verified = verifyReplicateWebhook(secret, c.req.raw.headers, body);
  if (!verified.ok) throw new ApiError("UNAUTHORIZED", `Invalid webhook: ${verified.reason}`);
  const prediction: Prediction = asPrediction(verified.payload);

  const db = getDb(c.env.DB);
  const id = c.req.param("request_id");
  const job = await getJob(db, id);
  // Acknowledged either way: an answer other than 2xx only makes Replicate send it again.
  if (!job || job.provider !== "replicate") return c.json({ received: true, applied: false, reason: "unknown request" }, 200);
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

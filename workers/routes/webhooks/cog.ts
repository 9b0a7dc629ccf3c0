import { Hono } from "hono";
import { sha256Hex } from "../../../shared/crypto";
import { verifyCogWebhook } from "../../../gpu-jobs/webhooks";
import { ApiError } from "../../api-error";
import { config } from "../../config";
import { MAX_OUTPUT_BYTES } from "../../media/output-limits";
import { getDb } from "../../db/client";
import type { AppEnv } from "../../env";
import { applyPrediction } from "../../media/apply-prediction";
import { firstSighting, forgetSighting, getJob } from "../../media/store";
import { asPrediction } from "./prediction";
import { readBodyText, rejectWebhook } from "./read-body";

// Cog puts the finished file into the webhook as a data URI: base64 of up to MAX_OUTPUT_BYTES, plus the
// prediction around it. Read only once the sender has shown its token.
const MAX_COG_WEBHOOK_BYTES = Math.ceil((MAX_OUTPUT_BYTES * 4) / 3) + 1024 * 1024;

/**
 * POST /webhooks/cog/{request_id}?token=...: a self-hosted Cog server's events. Cog does not sign, so
 * the sender proves itself with Cog's WEBHOOK_AUTH_TOKEN bearer or the job's own token in the URL.
 * Cog sends no event id: an identical body twice is one event (the hash of the body is its id).
 */
export const cogWebhook = new Hono<AppEnv>().post("/cog/:request_id", async (c) => {
  const id = c.req.param("request_id");
  const db = getDb(c.env.DB);
  const job = await getJob(db, id);
  const allowed =
    !!job &&
    job.provider === "cog" &&
    (await verifyCogWebhook({
      authorization: c.req.header("Authorization"),
      urlToken: c.req.query("token"),
      configuredToken: config(c.env).media.cogWebhookToken,
      jobTokenHash: job.webhookTokenHash,
    }));
  if (!allowed || !job) return rejectWebhook(c.get("requestId"), "cog", job ? "no valid token" : "unknown request");
  const body = await readBodyText(c.req.raw, MAX_COG_WEBHOOK_BYTES);
  let payload: unknown;
  try {
    payload = JSON.parse(body);
  } catch {
    throw new ApiError("INVALID_REQUEST", "The webhook body is not JSON");
  }
  const prediction = asPrediction(payload);
  const eventId = `cog:${id}:${await sha256Hex(body)}`;
  if (!(await firstSighting(db, eventId, id))) return c.json({ received: true, applied: false, reason: "duplicate" }, 200);
  try {
    await applyPrediction(c.env, id, { ...prediction, id }, "webhook");
  } catch (error) {
    await forgetSighting(db, eventId);
    throw error;
  }
  return c.json({ received: true, applied: true }, 200);
});

/**
 * Cog's HTTP API: GET /health-check, PUT /predictions/{id} with `Prefer: respond-async` (idempotent: a
 * known id answers its state), POST /predictions/{id}/cancel. Outputs come back as data URIs.
 */
import { Hono } from "hono";
import { answerCreate, readCreateBody, type EmulatorEnv } from "./http.ts";
import type { Predictions } from "./predictions.ts";

const ID = ":id{[A-Za-z0-9_-]+}";

export function cogRoutes(predictions: Predictions) {
  return new Hono<EmulatorEnv>()
    .get("/health-check", (c) => c.json({ status: "READY", setup: { status: "succeeded" } }))
    .all(`/predictions/${ID}/cancel`, (c) => {
      const existing = predictions.byId.get(c.req.param("id"));
      if (existing && !existing.completed_at) existing.status = "canceled";
      return c.json({}, existing ? 200 : 404);
    })
    .put(`/predictions/${ID}`, async (c) => {
      const id = c.req.param("id");
      const body = await readCreateBody(c);
      const existing = predictions.byId.get(id);
      if (existing) return c.json(predictions.view(existing), 202);
      if (!/respond-async/.test(c.req.header("Prefer") ?? "")) return c.json({ detail: "this emulator answers only Prefer: respond-async" }, 400);
      return answerCreate(c, predictions, predictions.newPrediction("cog", id, "cog", "local", body), 202);
    })
    .all(`/predictions/${ID}`, (c) => c.json({ detail: "Method not allowed" }, 405));
}

/**
 * Replicate's HTTP API, mounted at /v1: POST /models/{owner}/{name}/predictions, POST /predictions (by
 * version), GET /predictions (newest first, 100 a page), GET /predictions/{id}, POST
 * /predictions/{id}/cancel, and GET /account (what the API's health probe asks).
 */
import { Hono, type Context } from "hono";
import { answerCreate, readCreateBody, type EmulatorEnv } from "./http.ts";
import type { Predictions } from "./predictions.ts";

const PAGE = 100;
const newId = () => crypto.randomUUID().replaceAll("-", "").slice(0, 26);

/** `apiToken`: the token accepted (any Bearer token when unset). */
export function replicateRoutes(predictions: Predictions, apiToken: string | undefined) {
  const app = new Hono<EmulatorEnv>();

  app.use("*", async (c, next) => {
    const auth = c.req.header("Authorization") ?? "";
    if (!/^Bearer \S+/.test(auth) || (apiToken && auth !== `Bearer ${apiToken}`)) {
      return c.json({ title: "Unauthenticated", detail: "You did not pass a valid authentication token", status: 401 }, 401);
    }
    await next();
  });

  app.get("/account", (c) => c.json({ type: "organization", username: "gpu-emulator", name: "Local GPU emulator", github_url: null }));

  app.post("/models/:owner/:name/predictions", async (c) => {
    const { owner, name } = c.req.param();
    return answerCreate(c, predictions, predictions.newPrediction("replicate", newId(), `${owner}/${name}`, "latest", await readCreateBody(c)), 201);
  });

  app.post("/predictions", async (c) => {
    const body = await readCreateBody(c);
    const [model, version] = String(body.version ?? "").includes(":") ? String(body.version).split(":") : ["unknown/model", String(body.version)];
    return answerCreate(c, predictions, predictions.newPrediction("replicate", newId(), model!, version!, body), 201);
  });

  app.get("/predictions", (c) => {
    const cursor = Number(c.req.query("cursor") ?? 0);
    const all = [...predictions.byId.values()].filter((p) => p.api === "replicate").reverse();
    const next = cursor + PAGE < all.length ? `${predictions.base}/v1/predictions?cursor=${cursor + PAGE}` : null;
    return c.json({ previous: null, next, results: all.slice(cursor, cursor + PAGE).map((p) => predictions.view(p)) });
  });

  // Any method reads the prediction; only a POST to /cancel cancels it.
  const one = (cancel: boolean) => (c: Context<EmulatorEnv>) => {
    const p = predictions.byId.get(c.req.param("id") ?? "");
    if (!p) return c.json({ detail: "Not found" }, 404);
    if (cancel && c.req.method === "POST" && !p.completed_at) {
      p.status = "canceled";
      p.completed_at = new Date().toISOString();
      predictions.emit(p, "completed");
    }
    return c.json(predictions.view(p));
  };
  app.all("/predictions/:id{[A-Za-z0-9]+}", one(false));
  app.all("/predictions/:id{[A-Za-z0-9]+}/cancel", one(true));

  return app;
}

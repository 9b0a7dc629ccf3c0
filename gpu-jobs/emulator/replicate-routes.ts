/**
 * Replicate's HTTP API, mounted at /v1: POST /models/{owner}/{name}/predictions, POST /predictions (by
 * version), GET /predictions (newest first, 100 a page), GET /predictions/{id}, POST
 * /predictions/{id}/cancel, GET /models/{owner}/{name} (with its latest_version), and GET /account
 * (what the API's health probe asks).
 * Strict as Replicate is: the model route runs official models only (a community model is 404); a
 * create by version needs a version the registry knows (else 422 "Invalid version or not permitted");
 * and the input is checked against the version's schema (422 "Input validation failed", naming each field).
 */
import { Hono, type Context } from "hono";
import { answerCreate, readCreateBody, type EmulatorEnv } from "./http.ts";
import type { ModelRegistry } from "./model-registry.ts";
import { checkInput, type InputSchema } from "./model-schemas.ts";
import type { CreateBody, Predictions } from "./predictions.ts";

const PAGE = 100;
const newId = () => crypto.randomUUID().replaceAll("-", "").slice(0, 26);

// Replicate's own answers (RFC 9457 problem details) for what it refuses.
const NOT_FOUND = { detail: "The requested resource could not be found.", status: 404 };
const INVALID_VERSION = {
  title: "Invalid version or not permitted",
  detail: "The specified version does not exist (or perhaps you don't have permission to use it?)",
  status: 422,
};

/** A 422 naming each field at fault, or undefined when the input fits the schema (or there is none). */
function inputProblem(schema: InputSchema | undefined, body: CreateBody) {
  const invalid = schema ? checkInput(schema, body.input ?? {}) : [];
  if (!invalid.length) return undefined;
  return { detail: invalid.map((f) => `- ${f.field}: ${f.description}\n`).join(""), status: 422, title: "Input validation failed", invalid_fields: invalid };
}

/** `apiToken`: the token accepted (any Bearer token when unset). */
export function replicateRoutes(predictions: Predictions, registry: ModelRegistry, apiToken: string | undefined) {
  const app = new Hono<EmulatorEnv>();

  app.use("*", async (c, next) => {
    const auth = c.req.header("Authorization") ?? "";
    if (!/^Bearer \S+/.test(auth) || (apiToken && auth !== `Bearer ${apiToken}`)) {
      return c.json({ title: "Unauthenticated", detail: "You did not pass a valid authentication token", status: 401 }, 401);
    }
    await next();
  });

  app.get("/account", (c) => c.json({ type: "organization", username: "gpu-emulator", name: "Local GPU emulator", github_url: null }));

  app.get("/models/:owner/:name", (c) => {
    const model = registry.read(`${c.req.param("owner")}/${c.req.param("name")}`);
    return model ? c.json(registry.view(model)) : c.json(NOT_FOUND, 404);
  });

  // Official models only: a community model runs by version (POST /predictions).
  app.post("/models/:owner/:name/predictions", async (c) => {
    const { owner, name } = c.req.param();
    const model = registry.get(`${owner}/${name}`);
    const latest = model?.official ? model.versions.at(-1) : undefined;
    if (!latest || latest.refused) return c.json(NOT_FOUND, 404);
    const body = await readCreateBody(c);
    const problem = inputProblem(latest.input, body);
    if (problem) return c.json(problem, 422);
    return answerCreate(c, predictions, predictions.newPrediction("replicate", newId(), `${owner}/${name}`, latest.id, body), 201);
  });

  app.post("/predictions", async (c) => {
    const body = await readCreateBody(c);
    if (typeof body.version !== "string" || !body.version) return c.json({ detail: "version is required", status: 422 }, 422);
    const found = registry.forCreate(body.version);
    if (!found || found.version.refused) return c.json(INVALID_VERSION, 422);
    const problem = inputProblem(found.version.input, body);
    if (problem) return c.json(problem, 422);
    const model = `${found.model.owner}/${found.model.name}`;
    return answerCreate(c, predictions, predictions.newPrediction("replicate", newId(), model, found.version.id, body), 201);
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

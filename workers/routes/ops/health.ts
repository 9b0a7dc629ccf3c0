import { createRoute } from "@hono/zod-openapi";
import { HealthResponse } from "../../../shared/schemas/ops";
import { checkHealth } from "../../health/check";
import { createRouter, jsonResponse } from "../openapi";

const route = createRoute({
  method: "get",
  path: "/health",
  summary: "Service health: each dependency probed (cached a few seconds); public, no key",
  responses: {
    200: jsonResponse(HealthResponse, "healthy or degraded"),
    503: jsonResponse(HealthResponse, "unhealthy: the LLM cannot be reached"),
  },
});

export const health = createRouter().openapi(route, async (c) => {
  const body = await checkHealth(c.env);
  c.header("Cache-Control", "no-store");
  return body.status === "unhealthy" ? c.json(body, 503) : c.json(body, 200);
});

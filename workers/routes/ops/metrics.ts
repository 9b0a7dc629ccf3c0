import { createRoute, z } from "@hono/zod-openapi";
import { MetricsQuery, MetricsResponse } from "../../../shared/schemas/ops";
import { collectMetrics } from "../../metrics/collect";
import { toPrometheus } from "../../metrics/prometheus";
import { requireAdmin } from "../../middleware/auth";
import { createRouter, errorResponses } from "../openapi";

const route = createRoute({
  method: "get",
  path: "/metrics",
  summary: "System metrics (admin); ?format=prometheus for the Prometheus text format",
  middleware: [requireAdmin()] as const,
  request: { query: MetricsQuery },
  responses: {
    200: {
      description: "The figures, counted",
      content: { "application/json": { schema: MetricsResponse }, "text/plain": { schema: z.string() } },
    },
    ...errorResponses,
  },
});

export const metrics = createRouter().openapi(route, async (c) => {
  const figures = await collectMetrics(c.env);
  if (c.req.valid("query").format === "prometheus") {
    return c.text(toPrometheus(figures), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
  }
  return c.json(figures, 200);
});

import { createRoute } from "@hono/zod-openapi";
import { LorebookList } from "../../../shared/schemas/lorebooks";
import { getDb } from "../../db/client";
import { listLorebooks, toLorebookSummary } from "../../db/lorebooks";
import { createRouter, errorResponses, jsonResponse } from "../openapi";

const route = createRoute({
  method: "get",
  path: "/",
  summary: "List the lorebooks, oldest first (without their entries)",
  responses: { 200: jsonResponse(LorebookList, "All lorebooks"), ...errorResponses },
});

export const listLorebooksRoute = createRouter().openapi(route, async (c) => {
  const rows = await listLorebooks(getDb(c.env.DB));
  return c.json({ lorebooks: rows.map(toLorebookSummary) }, 200);
});

import { createRoute } from "@hono/zod-openapi";
import { Lorebook, LorebookParams } from "../../../shared/schemas/lorebooks";
import { ApiError } from "../../api-error";
import { getDb } from "../../db/client";
import { getLorebook, toLorebookView } from "../../db/lorebooks";
import { createRouter, errorResponses, jsonResponse } from "../openapi";

const route = createRoute({
  method: "get",
  path: "/{lorebook_id}",
  summary: "A lorebook with its entries, in the normalized form whatever format it was uploaded in",
  request: { params: LorebookParams },
  responses: { 200: jsonResponse(Lorebook, "The lorebook"), ...errorResponses },
});

export const getLorebookRoute = createRouter().openapi(route, async (c) => {
  const { lorebook_id } = c.req.valid("param");
  // The primary, not a replica: a lorebook just uploaded or replaced reads back as written.
  const row = await getLorebook(getDb(c.env.DB), lorebook_id);
  if (!row) throw new ApiError("NOT_FOUND", `No lorebook ${lorebook_id}`);
  return c.json(toLorebookView(row), 200);
});

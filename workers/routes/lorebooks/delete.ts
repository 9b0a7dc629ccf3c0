import { createRoute } from "@hono/zod-openapi";
import { DeleteLorebookResponse, LorebookParams } from "../../../shared/schemas/lorebooks";
import { ApiError } from "../../api-error";
import { getDb } from "../../db/client";
import { deleteLorebook } from "../../db/lorebooks";
import { requireAdmin } from "../../middleware/auth";
import { createRouter, errorResponses, jsonResponse } from "../openapi";

const route = createRoute({
  method: "delete",
  path: "/{lorebook_id}",
  summary: "Delete a lorebook (admin); it is detached from every character that had it",
  middleware: [requireAdmin()] as const,
  request: { params: LorebookParams },
  responses: { 200: jsonResponse(DeleteLorebookResponse, "The lorebook is deleted"), ...errorResponses },
});

export const deleteLorebookRoute = createRouter().openapi(route, async (c) => {
  const { lorebook_id } = c.req.valid("param");
  const now = new Date().toISOString();
  const { deleted, detachedFrom } = await deleteLorebook(getDb(c.env.DB), lorebook_id, now);
  if (!deleted) throw new ApiError("NOT_FOUND", `No lorebook ${lorebook_id}`);
  return c.json({ message: "Lorebook deleted", lorebook_id, deleted_at: now, detached_from: detachedFrom }, 200);
});

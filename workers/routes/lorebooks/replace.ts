import { createRoute } from "@hono/zod-openapi";
import { LorebookCreated, LorebookParams, LorebookWriteQuery } from "../../../shared/schemas/lorebooks";
import { ApiError } from "../../api-error";
import { getDb } from "../../db/client";
import { getLorebook, replaceLorebook } from "../../db/lorebooks";
import { requireAdmin } from "../../middleware/auth";
import { createRouter, errorResponses, jsonResponse } from "../openapi";
import { lorebookBody, lorebookBodyLimit, lorebookDescription, readLorebook } from "./document";

const route = createRoute({
  method: "put",
  path: "/{lorebook_id}",
  summary: "Replace a lorebook with a new document (admin); characters it is attached to keep it",
  description: `${lorebookDescription} The name is \`name\` if given, else the document's own, else the current one.`,
  middleware: [requireAdmin(), lorebookBodyLimit()] as const,
  request: { params: LorebookParams, query: LorebookWriteQuery, body: lorebookBody },
  responses: { 200: jsonResponse(LorebookCreated, "The lorebook is replaced"), ...errorResponses },
});

export const replaceLorebookRoute = createRouter().openapi(route, async (c) => {
  const { lorebook_id } = c.req.valid("param");
  const db = getDb(c.env.DB);
  // Looked up before the body is read: a missing lorebook is 404 whatever the document holds.
  const existing = await getLorebook(db, lorebook_id);
  if (!existing) throw new ApiError("NOT_FOUND", `No lorebook ${lorebook_id}`);
  const content = await readLorebook(c, lorebook_id, c.req.valid("query").name, existing.name);
  if (!(await replaceLorebook(db, lorebook_id, content, new Date().toISOString()))) throw new ApiError("NOT_FOUND", `No lorebook ${lorebook_id}`);
  return c.json({ id: lorebook_id, name: content.name, entry_count: content.book.entries.length }, 200);
});

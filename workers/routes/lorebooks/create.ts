import { createRoute } from "@hono/zod-openapi";
import { randomId } from "../../../shared/crypto";
import { LorebookCreated, LorebookWriteQuery } from "../../../shared/schemas/lorebooks";
import { getDb } from "../../db/client";
import { insertLorebook } from "../../db/lorebooks";
import { requireAdmin } from "../../middleware/auth";
import { createRouter, errorResponses, jsonResponse } from "../openapi";
import { lorebookBody, lorebookBodyLimit, lorebookDescription, readLorebook } from "./document";

const route = createRoute({
  method: "post",
  path: "/",
  summary: "Upload a lorebook (admin): a V3 lorebook, a character_book or a SillyTavern world-info file",
  description: `${lorebookDescription} The name is \`name\` if given, else the document's own.`,
  // The body limit runs after the admin check, so only admins can make the Worker read 2 MiB.
  middleware: [requireAdmin(), lorebookBodyLimit()] as const,
  request: { query: LorebookWriteQuery, body: lorebookBody },
  responses: { 201: jsonResponse(LorebookCreated, "The lorebook is stored"), ...errorResponses },
});

export const createLorebookRoute = createRouter().openapi(route, async (c) => {
  const id = randomId("lb_");
  const content = await readLorebook(c, id, c.req.valid("query").name, "Untitled lorebook");
  await insertLorebook(getDb(c.env.DB), id, content, new Date().toISOString());
  return c.json({ id, name: content.name, entry_count: content.book.entries.length }, 201);
});

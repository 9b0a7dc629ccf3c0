import { createRoute } from "@hono/zod-openapi";
import { ExportLorebookQuery, LorebookDocument, LorebookParams } from "../../../shared/schemas/lorebooks";
import { ApiError } from "../../api-error";
import { getDb } from "../../db/client";
import { getLorebookDocument } from "../../db/lorebooks";
import { exportLorebook } from "../../lore/formats/export";
import { createRouter, errorResponses, jsonResponse } from "../openapi";

const route = createRoute({
  method: "get",
  path: "/{lorebook_id}/export",
  summary: "A lorebook as a V3 lorebook or a SillyTavern world-info file",
  description:
    "In the format it was uploaded in, the document comes back as it was uploaded, every field kept (a character_book " +
    "comes back wrapped as a V3 lorebook). Across formats, fields map as SillyTavern's own converters map them.",
  request: { params: LorebookParams, query: ExportLorebookQuery },
  responses: { 200: jsonResponse(LorebookDocument, "The document, as an attachment named after the lorebook"), ...errorResponses },
});

/** A Content-Disposition for `name`.json: an ASCII fallback name and the exact one in RFC 8187's form. */
function attachment(name: string, fallback: string): string {
  const ascii =
    name
      .replace(/[^A-Za-z0-9 ._-]+/g, "_")
      .trim()
      .slice(0, 100) || fallback;
  const exact = encodeURIComponent(`${name}.json`).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}.json"; filename*=UTF-8''${exact}`;
}

export const exportLorebookRoute = createRouter().openapi(route, async (c) => {
  const { lorebook_id } = c.req.valid("param");
  const { format } = c.req.valid("query");
  const row = await getLorebookDocument(getDb(c.env.DB), lorebook_id);
  if (!row) throw new ApiError("NOT_FOUND", `No lorebook ${lorebook_id}`);
  return c.json(exportLorebook(row, format), 200, { "Content-Disposition": attachment(row.name, row.id) });
});

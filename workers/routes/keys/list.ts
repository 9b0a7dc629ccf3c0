import { createRoute } from "@hono/zod-openapi";
import { KeyList } from "../../../shared/schemas/keys";
import { listKeys } from "../../db/api-keys";
import { getDb } from "../../db/client";
import { createRouter, errorResponses, jsonResponse } from "../openapi";

const route = createRoute({
  method: "get",
  path: "/",
  summary: "List API keys (admin); never the keys themselves",
  responses: { 200: jsonResponse(KeyList, "All keys, newest first"), ...errorResponses },
});

export const listKeysRoute = createRouter().openapi(route, async (c) => {
  const rows = await listKeys(getDb(c.env.DB));
  const keys = rows.map((row) => ({
    id: row.id,
    name: row.name,
    scopes: row.scopes,
    prefix: row.prefix,
    created_at: row.createdAt,
    last_used_at: row.lastUsedAt,
    revoked_at: row.revokedAt,
  }));
  return c.json({ keys }, 200);
});

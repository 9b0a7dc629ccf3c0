import { createRoute, z } from "@hono/zod-openapi";
import { KeyId, RevokedKey } from "../../../shared/schemas/keys";
import { ApiError } from "../../api-error";
import { revokeKeyEverywhere } from "../../auth/revoke-key";
import { getKey } from "../../db/api-keys";
import { getDb } from "../../db/client";
import { createRouter, errorResponses, jsonResponse } from "../openapi";

const route = createRoute({
  method: "delete",
  path: "/{id}",
  summary: "Revoke an API key (admin); it stops working at once",
  request: { params: z.object({ id: KeyId }) },
  responses: { 200: jsonResponse(RevokedKey, "The key is revoked"), ...errorResponses },
});

export const revokeKeyRoute = createRouter().openapi(route, async (c) => {
  const { id } = c.req.valid("param");
  const db = getDb(c.env.DB);
  const existing = await getKey(db, id);
  if (!existing) throw new ApiError("NOT_FOUND", `No key ${id}`);
  return c.json({ id, revoked_at: await revokeKeyEverywhere(c.env, id, existing.revokedAt) }, 200);
});

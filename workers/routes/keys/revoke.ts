import { createRoute, z } from "@hono/zod-openapi";
import { KeyId, RevokedKey } from "../../../shared/schemas/keys";
import { ApiError } from "../../api-error";
import { forgetKey } from "../../auth/authenticate";
import { getKey, revokeKey } from "../../db/api-keys";
import { getDb } from "../../db/client";
import { closeKeySockets } from "../../durable-objects/chat-session/close-key-sockets";
import { createRouter, errorResponses, jsonResponse } from "../openapi";

const route = createRoute({
  method: "delete",
  path: "/{id}",
  summary: "Revoke an API key (admin)",
  description: "The key's sockets close at once, and it is refused everywhere within 10 s (the bound of the per-isolate key cache).",
  request: { params: z.object({ id: KeyId }) },
  responses: { 200: jsonResponse(RevokedKey, "The key is revoked"), ...errorResponses },
});

export const revokeKeyRoute = createRouter().openapi(route, async (c) => {
  const { id } = c.req.valid("param");
  const db = getDb(c.env.DB);
  const existing = await getKey(db, id);
  if (!existing) throw new ApiError("NOT_FOUND", `No key ${id}`);
  // Revoking twice keeps the first revocation time; the key's sockets close either way.
  const revokedAt = existing.revokedAt ?? (await revokeKey(db, id, new Date().toISOString()))!.revokedAt!;
  forgetKey(existing.keyHash);
  await closeKeySockets(c.env, id);
  return c.json({ id, revoked_at: revokedAt }, 200);
});

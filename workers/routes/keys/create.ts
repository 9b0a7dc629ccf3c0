import { examples } from "../../../shared/examples";
import { createRoute } from "@hono/zod-openapi";
import { CreateKeyRequest, CreatedKey } from "../../../shared/schemas/keys";
import { randomId } from "../../../shared/crypto";
import { displayPrefix, generateApiKey, hashApiKey } from "../../auth/api-keys";
import { insertKey } from "../../db/api-keys";
import { getDb } from "../../db/client";
import { createRouter, errorResponses, jsonBody, jsonResponse } from "../openapi";

const route = createRoute({
  method: "post",
  path: "/",
  summary: "Create an API key (admin); the key is shown once, only its hash is stored",
  request: { body: jsonBody(CreateKeyRequest, examples.createKeyRequest) },
  responses: { 201: jsonResponse(CreatedKey, "The new key"), ...errorResponses },
});

export const createKeyRoute = createRouter().openapi(route, async (c) => {
  const { name, scopes } = c.req.valid("json");
  const key = generateApiKey();
  const row = {
    id: randomId("key_"),
    name,
    keyHash: await hashApiKey(key),
    prefix: displayPrefix(key),
    scopes: [...new Set(scopes)],
    createdAt: new Date().toISOString(),
    lastUsedAt: null,
    revokedAt: null,
  };
  await insertKey(getDb(c.env.DB), row);
  return c.json({ id: row.id, key, name, scopes: row.scopes, created_at: row.createdAt }, 201);
});

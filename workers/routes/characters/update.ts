import { examples } from "../../../shared/examples";
import { createRoute } from "@hono/zod-openapi";
import { Character, UpdateCharacterRequest } from "../../../shared/schemas/characters";
import { ApiError } from "../../api-error";
import { getCharacter, getCharacterRow, updateCharacter } from "../../db/characters";
import { getDb } from "../../db/client";
import { requireAdmin } from "../../middleware/auth";
import { createRouter, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { requireLorebooks } from "./lorebook-ids";
import { CharacterParams } from "./params";

const route = createRoute({
  method: "put",
  path: "/{character_id}",
  summary: "Update a character's settings and personality (admin); configuration merges",
  middleware: [requireAdmin()] as const,
  request: { params: CharacterParams, body: jsonBody(UpdateCharacterRequest, examples.updateCharacterRequest) },
  responses: { 200: jsonResponse(Character, "The updated character"), ...errorResponses },
});

export const updateCharacterRoute = createRouter().openapi(route, async (c) => {
  const { character_id } = c.req.valid("param");
  const db = getDb(c.env.DB);
  const row = await getCharacterRow(db, character_id);
  if (!row) throw new ApiError("NOT_FOUND", `No character ${character_id}`);
  const body = c.req.valid("json");
  await requireLorebooks(db, body.lorebook_ids);
  await updateCharacter(db, row, body, new Date().toISOString());
  return c.json((await getCharacter(db, character_id))!, 200);
});

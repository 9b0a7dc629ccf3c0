import { createRoute } from "@hono/zod-openapi";
import { DeleteCharacterResponse } from "../../../shared/schemas/characters";
import { ApiError } from "../../api-error";
import { deleteCharacter } from "../../db/characters";
import { getDb } from "../../db/client";
import { requireAdmin } from "../../middleware/auth";
import { createRouter, errorResponses, jsonResponse } from "../openapi";
import { CharacterParams } from "./params";

const route = createRoute({
  method: "delete",
  path: "/{character_id}",
  summary: "Delete a character (admin); existing histories keep their messages",
  middleware: [requireAdmin()] as const,
  request: { params: CharacterParams },
  responses: { 200: jsonResponse(DeleteCharacterResponse, "The character was deleted"), ...errorResponses },
});

export const deleteCharacterRoute = createRouter().openapi(route, async (c) => {
  const { character_id } = c.req.valid("param");
  if (!(await deleteCharacter(getDb(c.env.DB), character_id))) throw new ApiError("NOT_FOUND", `No character ${character_id}`);
  return c.json({ message: "Character deleted", character_id, deleted_at: new Date().toISOString() }, 200);
});

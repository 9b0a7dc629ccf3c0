import { createRoute } from "@hono/zod-openapi";
import { Character, CreateCharacterRequest } from "../../../shared/schemas/characters";
import { ApiError } from "../../api-error";
import { createCharacter, getCharacter } from "../../db/characters";
import { getDb } from "../../db/client";
import { requireAdmin } from "../../middleware/auth";
import { conflictResponse, createRouter, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { requireLorebooks } from "./lorebook-ids";

const route = createRoute({
  method: "post",
  path: "/",
  summary: "Create a character (admin)",
  middleware: [requireAdmin()] as const,
  request: { body: jsonBody(CreateCharacterRequest) },
  responses: { 201: jsonResponse(Character, "The new character"), ...errorResponses, ...conflictResponse },
});

export const createCharacterRoute = createRouter().openapi(route, async (c) => {
  const body = c.req.valid("json");
  const db = getDb(c.env.DB);
  await requireLorebooks(db, body.lorebook_ids);
  if (!(await createCharacter(db, body, new Date().toISOString()))) {
    throw new ApiError("CONFLICT", `A character with id ${body.id} already exists`);
  }
  return c.json((await getCharacter(db, body.id))!, 201);
});

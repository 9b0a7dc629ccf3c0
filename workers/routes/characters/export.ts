import { createRoute } from "@hono/zod-openapi";
import { ExportedCard } from "../../../shared/schemas/character-cards";
import { ApiError } from "../../api-error";
import { characterToCard } from "../../cards/convert";
import { getCharacterRow } from "../../db/characters";
import { getDb } from "../../db/client";
import { createRouter, errorResponses, jsonResponse } from "../openapi";
import { CharacterParams } from "./params";

const route = createRoute({
  method: "get",
  path: "/{character_id}/export",
  summary: "A character as a Character Card V2 JSON file",
  request: { params: CharacterParams },
  responses: { 200: jsonResponse(ExportedCard, "The card, as an attachment named <id>.json"), ...errorResponses },
});

export const exportCharacterRoute = createRouter().openapi(route, async (c) => {
  const { character_id } = c.req.valid("param");
  const row = await getCharacterRow(getDb(c.env.DB), character_id);
  if (!row) throw new ApiError("NOT_FOUND", `No character ${character_id}`);
  // The id is a slug ([a-z0-9_-]), so it is safe in the header as is.
  return c.json(characterToCard(row), 200, { "Content-Disposition": `attachment; filename="${character_id}.json"` });
});

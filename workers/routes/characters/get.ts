import { examples } from "../../../shared/examples";
import { createRoute } from "@hono/zod-openapi";
import { Character } from "../../../shared/schemas/characters";
import { ApiError } from "../../api-error";
import { cachedCharacterRow } from "../../db/character-cache";
import { characterStatistics, toDetail } from "../../db/characters";
import { getReplicaDb } from "../../db/client";
import { createRouter, errorResponses, jsonResponse } from "../openapi";
import { CharacterParams } from "./params";

const route = createRoute({
  method: "get",
  path: "/{character_id}",
  summary: "A character's details, configuration and statistics",
  request: { params: CharacterParams },
  responses: { 200: jsonResponse(Character, "The character", examples.character), ...errorResponses },
});

export const getCharacterRoute = createRouter().openapi(route, async (c) => {
  const { character_id } = c.req.valid("param");
  const row = await cachedCharacterRow(c.env, character_id, c.executionCtx);
  if (!row) throw new ApiError("NOT_FOUND", `No character ${character_id}`);
  return c.json(toDetail(row, await characterStatistics(getReplicaDb(c.env.DB), character_id)), 200);
});

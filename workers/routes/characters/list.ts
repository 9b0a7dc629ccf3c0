import { examples } from "../../../shared/examples";
import { createRoute } from "@hono/zod-openapi";
import { CharacterList } from "../../../shared/schemas/characters";
import { cachedCharacterList } from "../../db/character-cache";
import { toSummary } from "../../db/characters";
import { createRouter, errorResponses, jsonResponse } from "../openapi";

const route = createRoute({
  method: "get",
  path: "/",
  summary: "List the available characters",
  responses: { 200: jsonResponse(CharacterList, "All characters", examples.characterList), ...errorResponses },
});

export const listCharactersRoute = createRouter().openapi(route, async (c) => {
  const rows = await cachedCharacterList(c.env, c.executionCtx);
  return c.json({ characters: rows.map(toSummary) }, 200);
});

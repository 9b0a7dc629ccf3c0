import { createRoute } from "@hono/zod-openapi";
import { CreateMemoryRequest, Memory } from "../../../shared/schemas/memories";
import { ApiError, unwrap } from "../../api-error";
import { cachedCharacterRow } from "../../db/character-cache";
import { createRouter, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { scopedMemory, scopeOf } from "./memory-object";

const route = createRoute({
  method: "post",
  path: "/",
  summary: "Write a memory: a pinned fact (always in the prompt) or an unpinned one (recalled when relevant)",
  request: { body: jsonBody(CreateMemoryRequest, { character_id: "assistant", user_id: "user-42", content: "Sam is allergic to peanuts.", pinned: true }) },
  responses: { 201: jsonResponse(Memory, "The memory is stored"), ...errorResponses },
});

export const createMemoryRoute = createRouter().openapi(route, async (c) => {
  const body = c.req.valid("json");
  if (!(await cachedCharacterRow(c.env, body.character_id, c.executionCtx))) throw new ApiError("NOT_FOUND", `No character ${body.character_id}`);
  const caller = c.get("caller");
  const created = await scopedMemory(c.env, caller, body).create(caller, scopeOf(caller, body), { content: body.content, pinned: body.pinned });
  return c.json(unwrap(created), 201);
});

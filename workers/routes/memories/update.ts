import { createRoute, z } from "@hono/zod-openapi";
import { Memory, MemoryRef, UpdateMemoryRequest } from "../../../shared/schemas/memories";
import { ApiError, unwrap } from "../../api-error";
import { createRouter, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { memoryObjectOf } from "./memory-object";

const route = createRoute({
  method: "patch",
  path: "/{memory_id}",
  summary: "Edit a memory's text, or pin or unpin it",
  request: { params: z.object({ memory_id: MemoryRef }), body: jsonBody(UpdateMemoryRequest, { pinned: false }) },
  responses: { 200: jsonResponse(Memory, "The memory as it is now"), ...errorResponses },
});

export const updateMemoryRoute = createRouter().openapi(route, async (c) => {
  const { memory_id } = c.req.valid("param");
  const memory = memoryObjectOf(c.env, memory_id);
  if (!memory) throw new ApiError("NOT_FOUND", `No memory ${memory_id}`);
  return c.json(unwrap(await memory.update(c.get("caller"), memory_id, c.req.valid("json"))), 200);
});

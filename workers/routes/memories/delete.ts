import { createRoute, z } from "@hono/zod-openapi";
import { DeletedMemory, MemoryRef } from "../../../shared/schemas/memories";
import { ApiError, unwrap } from "../../api-error";
import { createRouter, errorResponses, jsonResponse } from "../openapi";
import { memoryObjectOf } from "./memory-object";

const route = createRoute({
  method: "delete",
  path: "/{memory_id}",
  summary: "Delete a memory",
  request: { params: z.object({ memory_id: MemoryRef }) },
  responses: { 200: jsonResponse(DeletedMemory, "The memory is deleted"), ...errorResponses },
});

export const deleteMemoryRoute = createRouter().openapi(route, async (c) => {
  const { memory_id } = c.req.valid("param");
  const memory = memoryObjectOf(c.env, memory_id);
  if (!memory) throw new ApiError("NOT_FOUND", `No memory ${memory_id}`);
  return c.json(unwrap(await memory.remove(c.get("caller"), memory_id)), 200);
});

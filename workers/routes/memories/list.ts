import { createRoute } from "@hono/zod-openapi";
import { MemoryList, MemoryListQuery } from "../../../shared/schemas/memories";
import { unwrap } from "../../api-error";
import { createRouter, errorResponses, jsonResponse } from "../openapi";
import { scopedMemory } from "./memory-object";

const route = createRoute({
  method: "get",
  path: "/",
  summary: "List or search a user's memories of a character",
  description:
    "Without `q`: pinned facts, extracted facts and summaries, newest first (`kind=message` lists the kept messages). With `q`: a hybrid search (embeddings and FTS5 BM25, fused by reciprocal rank) over every kind, best first, with each hit's scores.",
  request: { query: MemoryListQuery },
  responses: { 200: jsonResponse(MemoryList, "The memories"), ...errorResponses },
});

export const listMemoriesRoute = createRouter().openapi(route, async (c) => {
  const query = c.req.valid("query");
  return c.json(unwrap(await scopedMemory(c.env, c.get("caller"), query).list(c.get("caller"), query)), 200);
});

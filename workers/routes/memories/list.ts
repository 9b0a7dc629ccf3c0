import { createRoute } from "@hono/zod-openapi";
import { MemoryList, MemoryListQuery } from "../../../shared/schemas/memories";
import { unwrap } from "../../api-error";
import { isAdmin } from "../../auth/caller";
import { getReplicaDb } from "../../db/client";
import { memoryScopesOf } from "../../db/memory-scopes";
import { mergeLists } from "../../memory/merge-lists";
import { createRouter, errorResponses, jsonResponse } from "../openapi";
import { memoryObjectAt, scopedMemory } from "./memory-object";

/** Keys whose memories of one user an admin list gathers at most. */
const ADMIN_SCOPES = 50;

const route = createRoute({
  method: "get",
  path: "/",
  summary: "List or search a user's memories of a character",
  description:
    "Without `q`: pinned facts, extracted facts and summaries, newest first (`kind=message` lists the kept messages). With `q`: a hybrid search (embeddings and FTS5 BM25, fused by reciprocal rank) over every kind, best first, with each hit's scores. A key sees its own memories; an admin key sees the user's memories under every key.",
  request: { query: MemoryListQuery },
  responses: { 200: jsonResponse(MemoryList, "The memories"), ...errorResponses },
});

export const listMemoriesRoute = createRouter().openapi(route, async (c) => {
  const query = c.req.valid("query");
  const caller = c.get("caller");
  if (!isAdmin(caller)) return c.json(unwrap(await scopedMemory(c.env, caller, query).list(caller, query)), 200);
  const who = query.user_id !== undefined ? { userId: query.user_id } : { sessionId: query.session_id! };
  const scopes = await memoryScopesOf(getReplicaDb(c.env.DB), query.character_id, who, ADMIN_SCOPES);
  const wide = { ...query, offset: 0, limit: query.offset + query.limit };
  const lists = await Promise.all(scopes.map((scope) => memoryObjectAt(c.env, scope.objectId)!.list(caller, wide)));
  return c.json(mergeLists(lists.map(unwrap), query), 200);
});

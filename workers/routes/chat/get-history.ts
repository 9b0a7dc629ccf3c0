import { examples } from "../../../shared/examples";
import { createRoute, z } from "@hono/zod-openapi";
import { HistoryQuery, HistoryResponse } from "../../../shared/schemas/chat";
import { SessionId } from "../../../shared/schemas/common";
import { unwrap } from "../../api-error";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import { createRouter, errorResponses, jsonResponse } from "../openapi";

const route = createRoute({
  method: "get",
  path: "/history/{session_id}",
  summary: "A page of a session's conversation (chronological; offset counts from the oldest)",
  request: { params: z.object({ session_id: SessionId }), query: HistoryQuery },
  responses: { 200: jsonResponse(HistoryResponse, "A page of messages", examples.historyResponse), ...errorResponses },
});

export const getHistory = createRouter().openapi(route, async (c) => {
  const { session_id } = c.req.valid("param");
  const page = unwrap(await sessionStub(c.env, session_id).history(c.get("caller"), c.req.valid("query")));
  return c.json({ session_id, ...page }, 200);
});

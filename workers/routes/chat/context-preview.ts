import { createRoute } from "@hono/zod-openapi";
import { ContextPreview, ContextPreviewRequest } from "../../../shared/schemas/lorebooks";
import { unwrap } from "../../api-error";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import { createRouter, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { existingSessionShape, SessionParams } from "../session-param";

const route = createRoute({
  method: "post",
  path: "/sessions/{session_id}/context",
  summary: "The exact prompt the next turn would send, with its tokens by section and the world info in it",
  description: "Built as the turn builds it; calls no LLM and stores nothing. The session may not exist yet.",
  request: { params: SessionParams, body: jsonBody(ContextPreviewRequest) },
  responses: { 200: jsonResponse(ContextPreview, "The next prompt"), ...errorResponses },
});

export const contextPreview = createRouter().openapi(route, async (c) => {
  const session_id = existingSessionShape(c.req.valid("param").session_id);
  const body = c.req.valid("json");
  const preview = await sessionStub(c.env, session_id).contextPreview(c.get("caller"), {
    sessionId: session_id,
    characterId: body.character_id,
    userId: body.user_id,
    message: body.message,
    userName: body.context?.user_name,
  });
  return c.json(unwrap(preview), 200);
});

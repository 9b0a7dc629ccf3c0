import { createRoute } from "@hono/zod-openapi";
import { ForkRequest, ForkResponse } from "../../../shared/schemas/branches";
import { randomId } from "../../../shared/crypto";
import { unwrap } from "../../api-error";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import { createRouter, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { existingSessionShape, SessionParams } from "../session-param";

// Messages copied per call between the two sessions: bounded, so a long path never makes one huge RPC.
const PAGE = 500;

const route = createRoute({
  method: "post",
  path: "/sessions/{session_id}/fork",
  summary: "Fork a session at a message: a new session, owned by the caller, with copies of the path from the root to it",
  request: { params: SessionParams, body: jsonBody(ForkRequest) },
  responses: { 201: jsonResponse(ForkResponse, "The new session"), ...errorResponses },
});

export const forkSession = createRouter().openapi(route, async (c) => {
  const source = sessionStub(c.env, existingSessionShape(c.req.valid("param").session_id));
  const { message_id } = c.req.valid("json");
  const caller = c.get("caller");
  const sessionId = randomId("sess_");
  const target = sessionStub(c.env, sessionId);
  c.set("sessionId", sessionId);
  for (let offset = 0; ; offset += PAGE) {
    const page = unwrap(await source.forkPath(caller, message_id, offset, PAGE));
    const last = offset + page.messages.length >= page.total;
    const copied = unwrap(await target.importFork(caller, sessionId, page.messages, last));
    if (last) return c.json({ session_id: sessionId, total_count: copied.total_count }, 201);
  }
});

import { createRoute } from "@hono/zod-openapi";
import { SessionMediaSettingsResponse, SessionMediaSettingsUpdate } from "../../../shared/schemas/media";
import { unwrap } from "../../api-error";
import type { Caller } from "../../auth/caller";
import { getDb } from "../../db/client";
import { sessionStub } from "../../durable-objects/chat-session/session-stub";
import type { Env } from "../../env";
import { getSessionMedia, putSessionMedia } from "../../media/store";
import { createRouter, errorResponses, jsonBody, jsonResponse } from "../openapi";
import { existingSessionShape, SessionParams as Params } from "../session-param";

// The session decides who may touch it: NOT_FOUND or FORBIDDEN come from its owner check.
const checkAccess = async (env: Env, caller: Caller, sessionId: string) =>
  unwrap(await sessionStub(env, sessionId).history(caller, { limit: 1, offset: 0, order: "asc" }));

const read = async (env: Env, sessionId: string) => {
  const row = await getSessionMedia(getDb(env.DB), sessionId);
  return { session_id: sessionId, voice: row?.voice ?? true, video: row?.video ?? true };
};

const getRoute = createRoute({
  method: "get",
  path: "/sessions/{session_id}",
  summary: "A session's media switch (replies with speech and video, as the character allows)",
  request: { params: Params },
  responses: { 200: jsonResponse(SessionMediaSettingsResponse, "The session's media settings"), ...errorResponses },
});

const putRoute = createRoute({
  method: "put",
  path: "/sessions/{session_id}",
  summary: "Turn a session's reply media on or off",
  request: { params: Params, body: jsonBody(SessionMediaSettingsUpdate) },
  responses: { 200: jsonResponse(SessionMediaSettingsResponse, "The session's media settings"), ...errorResponses },
});

export const sessionSettings = createRouter()
  .openapi(getRoute, async (c) => {
    const session_id = existingSessionShape(c.req.valid("param").session_id);
    await checkAccess(c.env, c.get("caller"), session_id);
    return c.json(await read(c.env, session_id), 200);
  })
  .openapi(putRoute, async (c) => {
    const session_id = existingSessionShape(c.req.valid("param").session_id);
    await checkAccess(c.env, c.get("caller"), session_id);
    const current = await read(c.env, session_id);
    const next = { voice: current.voice, video: current.video, ...c.req.valid("json") };
    await putSessionMedia(getDb(c.env.DB), session_id, next);
    return c.json({ session_id, ...next }, 200);
  });

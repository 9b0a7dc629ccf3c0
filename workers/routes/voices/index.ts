import { createRoute, z } from "@hono/zod-openapi";
import { ErrorBody } from "../../../shared/schemas/common";
import type { VoiceSampleFormat } from "../../../shared/schemas/voice";
import { ApiError } from "../../api-error";
import { smallObjectResponse } from "../assets/preconditions";
import { createRouter, jsonResponse } from "../openapi";

/** Where a character's voice sample lives in R2 (binding MEDIA), and the public path that serves it. */
export const voiceKey = (characterId: string, format: VoiceSampleFormat) => `voices/${characterId}.${format}`;
export const voicePath = (characterId: string, format: VoiceSampleFormat) => `/assets/voices/${characterId}.${format}`;

const FILE = /^[a-z0-9][a-z0-9_-]{0,63}\.(wav|mp3|m4a|ogg)$/;

const route = createRoute({
  method: "get",
  path: "/{file}",
  summary: "A character's voice sample (PUT /api/v1/characters/{id}/voice), from R2",
  description:
    "`{character_id}.{wav|mp3|m4a|ogg}`: the file a GPU fetches to clone the voice. Public like the rest of /assets (a GPU sends " +
    "no API key); ETag/If-None-Match; a short cache, since a new sample replaces the file under the same path.",
  request: { params: z.object({ file: z.string() }) },
  responses: {
    200: { description: "The audio file" },
    304: { description: "Not modified" },
    404: jsonResponse(ErrorBody, "NOT_FOUND: no such voice sample"),
  },
  security: [],
});

/**
 * GET /assets/voices/{file}, mounted beside the other /assets routes (workers/routes/assets/ serves
 * generated media and avatars; the samples have their own folder and rules, so their own file). HEAD is
 * answered by Hono.
 */
export const voiceFileRoutes = createRouter().openapi(route, async (c) => {
  const { file } = c.req.valid("param");
  if (!FILE.test(file)) throw new ApiError("NOT_FOUND", "No such voice sample");
  const object = await c.env.MEDIA.get(`voices/${file}`, { onlyIf: c.req.raw.headers });
  if (!object) throw new ApiError("NOT_FOUND", "No such voice sample");
  return smallObjectResponse(c.req.raw.headers, object, object.httpMetadata?.contentType ?? "application/octet-stream");
});

import { createRoute } from "@hono/zod-openapi";
import { MediaAccepted, VideoRequest, VideoResult } from "../../../shared/schemas/media";
import { sceneCall, voiceCall } from "../../../gpu-jobs/models";
import { ApiError } from "../../api-error";
import { getCharacterRow } from "../../db/characters";
import { getDb } from "../../db/client";
import { createJob, createTalkingHeadChain } from "../../media/create";
import { gpuProvider } from "../../media/gpu-provider";
import { videoResult } from "../../media/present";
import { createRouter, errorResponses, jsonBody, jsonResponse, unavailableResponse } from "../openapi";
import { respondToMediaRequest } from "./respond";

const route = createRoute({
  method: "post",
  path: "/video",
  summary: "Generate a video: a scene from the text, or the character's avatar speaking it",
  description:
    "`video_settings.mode`: `scene` (default, text-to-video) or `talking_head` (speech first, then the avatar driven by it). " +
    "Answers 202 with a request_id at once; with `Prefer: wait=N` (N <= 60) waits and answers 200 with the file.",
  request: { body: jsonBody(VideoRequest) },
  responses: {
    200: jsonResponse(VideoResult, "The finished video (with Prefer: wait=N)"),
    202: jsonResponse(MediaAccepted, "The job is queued; poll its status_url"),
    ...errorResponses,
    ...unavailableResponse,
  },
});

export const generateVideo = createRouter().openapi(route, async (c) => {
  const body = c.req.valid("json");
  const settings = body.video_settings;
  const db = getDb(c.env.DB);
  const character = await getCharacterRow(db, body.character_id);
  if (!character) throw new ApiError("NOT_FOUND", `No character ${body.character_id}`);
  if (!character.capabilities.includes("video")) throw new ApiError("INVALID_REQUEST", `Character ${character.id} has no video capability`);
  const provider = gpuProvider(c.env);
  if (!provider) throw new ApiError("SERVICE_UNAVAILABLE", "No GPU provider is configured (REPLICATE_API_TOKEN or GPU_ENDPOINT_URL)");
  const spec = { keyId: c.get("caller").keyId, character, text: body.text, provider: provider.name, settings };

  if (settings.mode === "scene") {
    const job = await createJob(db, spec, sceneCall(body.text, settings));
    return respondToMediaRequest(c, job, job.id, videoResult);
  }
  if (!character.avatarUrl) throw new ApiError("INVALID_REQUEST", `Character ${character.id} has no avatar image to animate`);
  const speech = voiceCall(character.voiceModel, body.text, { speed: 1, pitch: 1, emotion: "neutral" });
  if (!speech.ok) throw new ApiError("INVALID_REQUEST", speech.message);
  const { voice, video } = await createTalkingHeadChain(db, spec, speech.call, character.avatarUrl);
  return respondToMediaRequest(c, video, voice.id, videoResult);
});

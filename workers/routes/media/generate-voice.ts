import { createRoute } from "@hono/zod-openapi";
import { MediaAccepted, VoiceRequest, VoiceResult } from "../../../shared/schemas/media";
import { voiceCall } from "../../../gpu-jobs/models";
import { ApiError } from "../../api-error";
import { getCharacterRow } from "../../db/characters";
import { getDb } from "../../db/client";
import { createJob } from "../../media/create";
import { gpuProvider } from "../../media/gpu-provider";
import { voiceResult } from "../../media/present";
import { createRouter, errorResponses, jsonBody, jsonResponse, unavailableResponse } from "../openapi";
import { respondToMediaRequest } from "./respond";

const route = createRoute({
  method: "post",
  path: "/voice",
  summary: "Generate speech of a text in a character's voice",
  description: "Answers 202 with a request_id at once; with `Prefer: wait=N` (N <= 60) waits and answers 200 with the file.",
  request: { body: jsonBody(VoiceRequest) },
  responses: {
    200: jsonResponse(VoiceResult, "The finished speech (with Prefer: wait=N)"),
    202: jsonResponse(MediaAccepted, "The job is queued; poll its status_url"),
    ...errorResponses,
    ...unavailableResponse,
  },
});

export const generateVoice = createRouter().openapi(route, async (c) => {
  const body = c.req.valid("json");
  const db = getDb(c.env.DB);
  const character = await getCharacterRow(db, body.character_id);
  if (!character) throw new ApiError("NOT_FOUND", `No character ${body.character_id}`);
  if (!character.capabilities.includes("voice")) throw new ApiError("INVALID_REQUEST", `Character ${character.id} has no voice capability`);
  const choice = voiceCall(character.voiceModel, body.text, body.voice_settings);
  if (!choice.ok) throw new ApiError("INVALID_REQUEST", choice.message);
  const provider = gpuProvider(c.env);
  if (!provider) throw new ApiError("SERVICE_UNAVAILABLE", "No GPU provider is configured (REPLICATE_API_TOKEN or GPU_ENDPOINT_URL)");
  const job = await createJob(
    db,
    { keyId: c.get("caller").keyId, character, text: body.text, provider: provider.name, settings: body.voice_settings },
    choice.call,
  );
  return respondToMediaRequest(c, job, job.id, voiceResult);
});

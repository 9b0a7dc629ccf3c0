import { createRoute } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { toHex } from "../../../shared/crypto";
import { Character } from "../../../shared/schemas/characters";
import { VOICE_SAMPLE_LIMITS, VOICE_SAMPLE_TYPES, type VoiceSampleFormat } from "../../../shared/schemas/voice";
import { ApiError } from "../../api-error";
import { config } from "../../config";
import { getCharacter, getCharacterRow, updateCharacter } from "../../db/characters";
import { getDb } from "../../db/client";
import { requireAdmin } from "../../middleware/auth";
import { readVoiceSample, VoiceSampleError } from "../../voice/sample";
import { createRouter, errorResponses, jsonResponse } from "../openapi";
import { voiceKey, voicePath } from "../voices";
import { CharacterParams } from "./params";

const { maxBytes, minSeconds, maxSeconds } = VOICE_SAMPLE_LIMITS;
const binary = { schema: { type: "string", format: "binary" } } as const;

const route = createRoute({
  method: "put",
  path: "/{character_id}/voice",
  summary: "Give a character a voice cloned from a sample (admin): a WAV, MP3, M4A or OGG file",
  description:
    `The body is the audio file, its Content-Type naming its format (checked against the bytes): ${minSeconds} s to ${maxSeconds} s ` +
    `(5 minutes), at most ${maxBytes} bytes (10 MiB). It is stored and served at /assets/voices/{character_id}.{format}, and the ` +
    "character's voice_model becomes `clone:<its public URL>` (Chatterbox speaks in that voice). A sample that is not audio, too " +
    "short, too long or too big is 400 naming the limit, and nothing is stored or changed.",
  // The body limit runs after the admin check, so only admins can make the Worker read 10 MiB.
  middleware: [
    requireAdmin(),
    bodyLimit({
      maxSize: maxBytes,
      onError: () => {
        throw new ApiError("INVALID_REQUEST", `Voice samples are limited to ${maxBytes} bytes (10 MiB)`, { max_bytes: maxBytes });
      },
    }),
  ] as const,
  request: {
    params: CharacterParams,
    // Plain OpenAPI schemas: the handler reads the bytes itself and learns their format from them.
    body: { required: true, content: Object.fromEntries(Object.values(VOICE_SAMPLE_TYPES).map((types) => [types[0], binary])) },
  },
  responses: { 200: jsonResponse(Character, "The character, its voice_model now clone:<the sample's public URL>"), ...errorResponses },
});

const FORMATS = Object.keys(VOICE_SAMPLE_TYPES) as VoiceSampleFormat[];

export const setVoiceRoute = createRouter().openapi(route, async (c) => {
  const { character_id } = c.req.valid("param");
  const db = getDb(c.env.DB);
  const row = await getCharacterRow(db, character_id);
  if (!row) throw new ApiError("NOT_FOUND", `No character ${character_id}`);
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  let sample: Awaited<ReturnType<typeof readVoiceSample>>;
  try {
    sample = await readVoiceSample(bytes, c.req.header("Content-Type"));
  } catch (error) {
    if (error instanceof VoiceSampleError) throw new ApiError("INVALID_REQUEST", error.message, error.details);
    throw error;
  }
  await c.env.MEDIA.put(voiceKey(character_id, sample.format), bytes, { httpMetadata: { contentType: sample.contentType } });
  // One sample per character: one in another format goes.
  await c.env.MEDIA.delete(FORMATS.filter((f) => f !== sample.format).map((f) => voiceKey(character_id, f)));
  // The path stays the same across samples, so the URL names this one's content: a GPU (or a cache) that
  // kept the previous file under the old URL never serves it for the new voice.
  const digest = toHex(await crypto.subtle.digest("SHA-256", bytes)).slice(0, 16);
  const url = `${config(c.env).publicBaseUrl}${voicePath(character_id, sample.format)}?v=${digest}`;
  await updateCharacter(db, row, { voice_model: `clone:${url}` }, new Date().toISOString());
  return c.json((await getCharacter(db, character_id))!, 200);
});

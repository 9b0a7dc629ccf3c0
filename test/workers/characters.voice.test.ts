/**
 * PUT /api/v1/characters/{id}/voice: a sample becomes the character's cloned voice (stored in R2, served
 * at /assets/voices/...), and a bad sample is 400 naming the limit with nothing stored or changed.
 * Samples are made here (gpu-jobs/emulator/wav.ts), never committed.
 */
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { wavFile } from "../../gpu-jobs/emulator/wav";
import { PINNED_VERSIONS } from "../../gpu-jobs/models";
import { ChatacterClient } from "../../shared/client/client";
import { VOICE_SAMPLE_LIMITS } from "../../shared/schemas/voice";
import { ADMIN_KEY, api, createKey, readResponse, send } from "../support/api";
import { env } from "../support/env";
import { TEST_PUBLIC_BASE_URL } from "../support/gpu-constants";
import { replicateApi } from "../support/gpu-models";
import { asset, terminal, waitForStatus } from "../support/media";

vi.setConfig({ testTimeout: 30_000 });

const worker = (exports as unknown as { default: Fetcher }).default;
const CHATTERBOX_PIN = PINNED_VERSIONS["resemble-ai/chatterbox"]!;

/** A mono 16-bit WAV of `seconds` of a quiet tone. */
function wav(seconds: number, sampleRate = 8000): Uint8Array<ArrayBuffer> {
  const pcm = new Int16Array(Math.round(seconds * sampleRate));
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(3000 * Math.sin((2 * Math.PI * 220 * i) / sampleRate));
  return wavFile(pcm, sampleRate);
}

/** `seconds` of MPEG-1 Layer III at 128 kbit/s, 44.1 kHz: 417-byte frames of 1152 samples (silent, but every header valid). */
function mp3(seconds: number): Uint8Array<ArrayBuffer> {
  const frames = Math.ceil((seconds * 44_100) / 1152);
  const bytes = new Uint8Array(417 * frames);
  for (let i = 0; i < frames; i++) bytes.set([0xff, 0xfb, 0x90, 0x64], i * 417);
  return bytes;
}

function putVoice(characterId: string, body: Uint8Array<ArrayBuffer>, contentType: string | null, key = ADMIN_KEY) {
  const headers: Record<string, string> = { Authorization: `Bearer ${key}` };
  if (contentType) headers["Content-Type"] = contentType;
  return worker.fetch(`http://localhost/api/v1/characters/${characterId}/voice`, { method: "PUT", headers, body }).then(readResponse);
}

async function newCharacter(id: string) {
  const res = await api("POST", "/api/v1/characters", { body: { id, name: `Voice ${id}`, voice_model: "default", capabilities: ["text", "voice"] } });
  expect(res.status, res.text).toBe(201);
}

const storedSamples = async (id: string) => (await env.MEDIA.list({ prefix: `voices/${id}.` })).objects.map((o) => o.key);

describe("PUT /api/v1/characters/{id}/voice", () => {
  it("stores a 6 s WAV, makes it the character's cloned voice, and a voice turn then clones it with Chatterbox", async () => {
    await newCharacter("cloned");
    const sample = wav(6);
    const client = new ChatacterClient("http://localhost", ADMIN_KEY, (input, init) => worker.fetch(input as string, init));
    const character = await client.setCharacterVoice("cloned", new Blob([sample], { type: "audio/wav" }));

    expect(character.voice_model).toMatch(new RegExp(`^clone:${TEST_PUBLIC_BASE_URL}/assets/voices/cloned\\.wav\\?v=[0-9a-f]{16}$`));
    const url = character.voice_model!.slice("clone:".length);
    expect((await api("GET", "/api/v1/characters/cloned")).json.voice_model).toBe(character.voice_model);

    const stored = await env.MEDIA.get("voices/cloned.wav");
    expect(stored?.httpMetadata?.contentType).toBe("audio/wav");
    expect(new Uint8Array(await stored!.arrayBuffer())).toEqual(sample);
    const served = await asset(new URL(url).pathname);
    expect(served.status).toBe(200);
    expect(served.headers.get("Content-Type")).toBe("audio/wav");
    expect(served.bytes).toEqual(sample);

    // A turn with the character: its speech is a Chatterbox job, by the pinned version, cloning the stored sample.
    const reply = await send({ message: "Say something in your new voice.", character_id: "cloned", session_id: "cloned-voice" });
    expect(reply.status, reply.text).toBe(200);
    // Its speech jobs are the reply's chunks (the whole reply's audio is their files joined, no model).
    const { results } = await env.DB.prepare(
      "SELECT id, model, input FROM media_requests WHERE character_id = ? AND json_extract(settings, '$.source') = 'reply_chunk'",
    )
      .bind("cloned")
      .all<{ id: string; model: string; input: string }>();
    expect(results.length).toBeGreaterThan(0);
    for (const job of results) {
      expect(job.model).toBe("resemble-ai/chatterbox");
      expect(JSON.parse(job.input).audio_prompt).toBe(url);
      expect((await waitForStatus(job.id, terminal)).at(-1).status).toBe("completed");
      const row = await env.DB.prepare("SELECT prediction_id AS predictionId FROM media_requests WHERE id = ?").bind(job.id).first<{ predictionId: string }>();
      const prediction = (await replicateApi("GET", `/predictions/${row!.predictionId}`)).json;
      expect(prediction).toMatchObject({ model: "resemble-ai/chatterbox", version: CHATTERBOX_PIN, input: { audio_prompt: url } });
    }
  });

  it("takes an MP3 (Content-Type audio/mpeg), and a new sample replaces the old one in any format", async () => {
    await newCharacter("mp3-voice");
    expect((await putVoice("mp3-voice", wav(5.5), "audio/wav")).status).toBe(200);
    const res = await putVoice("mp3-voice", mp3(6), "audio/mpeg");
    expect(res.status, res.text).toBe(200);
    expect(res.json.voice_model).toMatch(/\/assets\/voices\/mp3-voice\.mp3\?v=/);
    expect(await storedSamples("mp3-voice")).toEqual(["voices/mp3-voice.mp3"]);
    expect((await env.MEDIA.head("voices/mp3-voice.mp3"))?.httpMetadata?.contentType).toBe("audio/mpeg");
  });

  it("is 404 for an unknown character and 403 for a key without the admin scope, storing nothing", async () => {
    expect((await putVoice("nobody-here", wav(6), "audio/wav")).status).toBe(404);
    await newCharacter("guarded");
    const { key } = await createKey("voice-chat", ["chat"]);
    const res = await putVoice("guarded", wav(6), "audio/wav", key);
    expect(res.status).toBe(403);
    expect(await storedSamples("nobody-here")).toEqual([]);
    expect(await storedSamples("guarded")).toEqual([]);
  });
});

describe("a bad sample is 400 naming the limit, and nothing is stored", () => {
  beforeAll(() => newCharacter("refuser"));

  it.each([
    ["not audio (text)", () => new TextEncoder().encode("this is not a recording, just words"), "audio/wav", /not a WAV, MP3, M4A or OGG audio file/],
    [
      "not audio (a PNG)",
      () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
      "audio/wav",
      /not a WAV, MP3, M4A or OGG/,
    ],
    ["empty", () => new Uint8Array(0), "audio/wav", /empty/],
    ["too short (2 s)", () => wav(2), "audio/wav", /at least 5 seconds/],
    ["too long (301 s)", () => wav(301, 4000), "audio/wav", /at most 300 seconds \(5 minutes\)/],
    ["too big (10 MiB and a byte)", () => new Uint8Array(VOICE_SAMPLE_LIMITS.maxBytes + 1), "audio/wav", /limited to 10485760 bytes \(10 MiB\)/],
    [
      "a Content-Type that is not the file's format",
      () => wav(6),
      "audio/mpeg",
      /Content-Type audio\/mpeg does not match the file, which is WAV \(audio\/wav\)/,
    ],
    ["a Content-Type that names no audio format", () => wav(6), "application/octet-stream", /Content-Type must name the sample's format/],
    ["no Content-Type", () => wav(6), null, /Content-Type must name the sample's format/],
  ] as const)("%s", async (_case, body, contentType, message) => {
    const before = (await api("GET", "/api/v1/characters/refuser")).json;
    const res = await putVoice("refuser", body() as Uint8Array<ArrayBuffer>, contentType);
    expect(res.status, res.text).toBe(400);
    expect(res.json.error.code).toBe("INVALID_REQUEST");
    expect(res.json.error.message).toMatch(message);
    expect(await storedSamples("refuser")).toEqual([]);
    expect((await api("GET", "/api/v1/characters/refuser")).json).toEqual(before);
  });

  it("names the measured length and the limit in details", async () => {
    const res = await putVoice("refuser", wav(3), "audio/wav");
    expect(res.json.error.details).toEqual({ duration_seconds: 3, min_seconds: 5 });
  });
});

import { describe, expect, it, vi } from "vitest";
import { advance, progressFromLogs, statusOfPrediction } from "../../gpu-jobs/job-machine";
import { MediaFileError, probeMp4, probeWav } from "../../gpu-jobs/media-files";
import { sceneCall, talkingHeadCall, voiceCall } from "../../gpu-jobs/models";
import { selectGpuProvider } from "../../gpu-jobs/providers/select";
import { verifyReplicateWebhook } from "../../gpu-jobs/webhooks";
import { wavFile } from "../../gpu-jobs/emulator/wav";
import { env } from "../support/env";
import { preferredWait } from "../../workers/routes/media/respond";
import { config } from "../../workers/config";
import { gpuProviderOptions } from "../../workers/media/gpu-provider";

// The provider options the Worker would build from these variables.
const gpuOptions = (variables: object) => gpuProviderOptions(config(variables));

// Jobs run through the GPU emulator; on a loaded 2-core machine a few seconds is not a hang.
vi.setConfig({ testTimeout: 30_000 });

describe("job machine", () => {
  it("moves forward only", () => {
    expect(advance({ status: "queued", progress: 0 }, { status: "processing", progress: 20 })).toMatchObject({
      status: "processing",
      progress: 20,
      transition: { from: "queued", to: "processing" },
    });
    expect(advance({ status: "processing", progress: 40 }, { status: "queued", progress: 0 })).toBeUndefined();
    expect(advance({ status: "processing", progress: 40 }, { status: "processing", progress: 20 })).toBeUndefined();
    expect(advance({ status: "completed", progress: 100 }, { status: "failed", progress: 0 })).toBeUndefined();
    expect(advance({ status: "failed", progress: 10 }, { status: "completed", progress: 100 })).toBeUndefined();
    expect(advance({ status: "finalizing", progress: 99 }, { status: "processing", progress: 99 })).toBeUndefined();
  });

  it("keeps progress below 100 until completed, and at 100 then", () => {
    expect(advance({ status: "processing", progress: 40 }, { status: "processing", progress: 100 })!.progress).toBe(99);
    expect(advance({ status: "finalizing", progress: 99 }, { status: "completed", progress: 0 })!.progress).toBe(100);
    expect(advance({ status: "processing", progress: 40 }, { status: "failed", progress: 0 })!.progress).toBe(40);
  });

  it("maps prediction statuses and reads progress from logs", () => {
    expect(statusOfPrediction("starting")).toBe("queued");
    expect(statusOfPrediction("succeeded")).toBe("finalizing");
    expect(statusOfPrediction("aborted")).toBe("canceled");
    expect(statusOfPrediction("weird")).toBeUndefined();
    expect(progressFromLogs(" 20%|##   | 1/5\n 60%|###### | 3/5\n")).toBe(60);
    expect(progressFromLogs("progress: 42.5%")).toBe(42.5);
    expect(progressFromLogs("Loading model")).toBeUndefined();
    expect(progressFromLogs("")).toBeUndefined();
  });
});

describe("model catalogue", () => {
  it("Kokoro for named voices, with voice and speed", () => {
    const choice = voiceCall("default", "hi", { speed: 1.2, pitch: 1, emotion: "neutral" });
    expect(choice).toEqual({ ok: true, call: { kind: "voice", model: "jaaari/kokoro-82m", input: { text: "hi", voice: "af_bella", speed: 1.2 } } });
    expect(voiceCall("kokoro:bm_george", "hi", { speed: 1, pitch: 1, emotion: "neutral" })).toMatchObject({
      ok: true,
      call: { input: { voice: "bm_george" } },
    });
    expect(voiceCall("mystery", "hi", { speed: 1, pitch: 1, emotion: "neutral" })).toMatchObject({ ok: false });
  });

  it("Chatterbox clones a reference voice, emotion as exaggeration", () => {
    const choice = voiceCall("clone:https://example.com/sample.wav", "hi", { speed: 1, pitch: 1, emotion: "excited" });
    expect(choice).toMatchObject({
      ok: true,
      call: { model: "resemble-ai/chatterbox", input: { audio_prompt: "https://example.com/sample.wav", exaggeration: 0.9 } },
    });
    expect(voiceCall("https://example.com/s.wav", "hi", { speed: 1.5, pitch: 1, emotion: "neutral" })).toMatchObject({ ok: false });
  });

  it("talking head and scene inputs", () => {
    expect(talkingHeadCall(null, "https://a/img.png", "https://a/s.wav")).toMatchObject({
      model: "cjwbw/sadtalker",
      input: { source_image: "https://a/img.png", driven_audio: "https://a/s.wav" },
    });
    expect(talkingHeadCall("omni-human", "i", "a")).toMatchObject({ model: "bytedance/omni-human", input: { image: "i", audio: "a" } });
    expect(sceneCall("mountains", { width: 1920, height: 1080, duration_seconds: 7, style: "cinematic", mode: "scene" }).input).toEqual({
      prompt: "mountains (cinematic style)",
      duration: 10,
      resolution: "1080p",
      aspect_ratio: "16:9",
    });
  });
});

describe("media files", () => {
  it("measures a WAV from its header and refuses what is not one", async () => {
    const wav = wavFile(new Int16Array(24_000 * 2), 24_000);
    expect(await probeWav(wav)).toMatchObject({ durationSeconds: 2, sampleRate: 24_000, contentType: "audio/wav" });
    await expect(probeWav(new TextEncoder().encode("<html>not found</html>"))).rejects.toBeInstanceOf(MediaFileError);
  });

  it("refuses bytes that are not an MP4", () => {
    expect(() => probeMp4(new TextEncoder().encode("nope, an error page"))).toThrow(MediaFileError);
  });
});

describe("small pieces", () => {
  it("Prefer: wait=N, capped at 60", () => {
    expect(preferredWait(undefined)).toBe(0);
    expect(preferredWait("wait=5")).toBe(5);
    expect(preferredWait("respond-async, wait=100")).toBe(60);
    expect(preferredWait("handling=lenient")).toBe(0);
  });

  it("the provider: Replicate when its token is set, Cog on request, none without config", () => {
    expect(selectGpuProvider(gpuOptions(env))!.name).toBe("replicate");
    expect(selectGpuProvider(gpuOptions(env), "cog")!.name).toBe("cog");
    expect(selectGpuProvider(gpuOptions({ ...env, MEDIA_PROVIDER: "cog" }))!.name).toBe("cog");
    expect(selectGpuProvider(gpuOptions({ ...env, REPLICATE_API_TOKEN: undefined, GPU_ENDPOINT_URL: undefined }))).toBeUndefined();
  });

  it("Replicate signatures: missing headers are refused", () => {
    expect(verifyReplicateWebhook(env.REPLICATE_WEBHOOK_SECRET!, new Headers(), "{}")).toMatchObject({ ok: false });
  });
});

describe("stats for /health and /metrics", () => {
  it("counts today's requests and averages generation time from the transitions", async () => {
    const { api } = await import("../support/api");
    const { drainWebhooks, waitForStatus, terminal } = await import("../support/media");
    const { mediaGenerationStats, mediaHealth } = await import("../../workers/media/stats");
    const { getDb } = await import("../../workers/db/client");
    await drainWebhooks();
    const since = new Date(Date.now() - 1000).toISOString();
    const res = await api("POST", "/api/v1/media/voice", { body: { text: "count me" } });
    await waitForStatus(res.json.request_id, terminal);
    const stats = await mediaGenerationStats(getDb(env.DB), since);
    expect(stats.voice_requests_today).toBe(1);
    expect(stats.video_requests_today).toBe(0);
    expect(stats.average_generation_time_seconds).toBeGreaterThan(0);
    expect(stats.average_generation_time_seconds).toBeLessThan(10);
    expect(await mediaHealth({ ...env, MEDIA_PROVIDER: "cog" })).toBe("healthy");
    expect(await mediaHealth({ ...env, REPLICATE_API_TOKEN: undefined, GPU_ENDPOINT_URL: undefined })).toBe("not_configured");
  });
});

describe("Replicate versions", () => {
  it("a configured version is sent as `version` over the catalogue's pin; an official model goes by name", async () => {
    const pinned = selectGpuProvider(
      gpuOptions({
        ...env,
        REPLICATE_MODEL_VERSIONS: JSON.stringify({ "jaaari/kokoro-82m": "f559560eb822dc509045f3921a1921234918b91739db4bf3daab2169b71c7a13" }),
      }),
    )!;
    const call = { kind: "voice" as const, model: "jaaari/kokoro-82m", input: { text: "pinned", voice: "af_bella", speed: 1 } };
    const byVersion = await pinned.submit({ jobId: "media_pinnedversion01", call, webhookUrl: "http://chattr.test/webhooks/replicate/media_pinnedversion01" });
    expect((byVersion as { version?: string }).version).toBe("f559560eb822dc509045f3921a1921234918b91739db4bf3daab2169b71c7a13");
    const byName = await selectGpuProvider(gpuOptions(env))!.submit({
      jobId: "media_byname000000001",
      call: { kind: "talking_head", model: "bytedance/omni-human", input: { image: "http://chattr.test/a.png", audio: "http://chattr.test/a.wav" } },
      webhookUrl: "http://chattr.test/webhooks/replicate/media_byname000000001",
    });
    expect((byName as { model?: string }).model).toBe("bytedance/omni-human");
  });
});

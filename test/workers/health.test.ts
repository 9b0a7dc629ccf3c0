import { describe, expect, it } from "vitest";
import packageJson from "../../package.json";
import { PINNED_VERSIONS } from "../../gpu-jobs/models";
import { selectGpuProvider } from "../../gpu-jobs/providers/select";
import { config } from "../../workers/config";
import { probeVectorDatabase } from "../../workers/health/probes";
import { gpuProviderOptions } from "../../workers/media/gpu-provider";
import { api } from "../support/api";
import { callWith } from "../support/app";
import { env } from "../support/env";
import { registerModel, uniqueModel } from "../support/gpu-models";

const upstash = { UPSTASH_REDIS_REST_URL: env.TEST_UPSTASH_URL, UPSTASH_REDIS_REST_TOKEN: env.TEST_UPSTASH_TOKEN };
const health = (overrides: Parameters<typeof callWith>[0]) => callWith(overrides, "GET", "/api/v1/health", { key: null });

describe("GET /api/v1/health", () => {
  it("is public and reports every dependency up (LLM and embeddings emulator, Redis behind Upstash)", async () => {
    const res = await health(upstash);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      status: "healthy",
      version: packageJson.version,
      services: {
        llm_api: "healthy",
        vector_database: "healthy",
        voice_generator: "healthy",
        video_generator: "healthy",
        redis: "healthy",
      },
      resource_usage: { cpu_percent: null, memory_percent: null, gpu_memory_percent: null },
      details: { llm_emulator: true, rate_limit_store: "upstash", redis_failing_open: false },
    });
    expect(Number.isInteger(res.json.uptime_seconds)).toBe(true);
    expect(Date.parse(res.json.timestamp)).not.toBeNaN();
  });

  it("answers without a key through the deployed Worker too", async () => {
    const res = await api("GET", "/api/v1/health", { key: null });
    expect(res.status).toBe(200);
    expect(res.json.services.redis).toBe("not_configured");
    expect(res.json.details.rate_limit_store).toBe("durable-object");
  });

  it("is unhealthy (503) when the LLM cannot be reached", async () => {
    const res = await health({ LLM_BASE_URL: env.TEST_CLOSED_URL });
    expect(res.status).toBe(503);
    expect(res.json.status).toBe("unhealthy");
    expect(res.json.services.llm_api).toBe("unhealthy");
    expect(res.json.details.llm_emulator).toBe(false);
  });

  it("is unhealthy when the LLM answers with an error", async () => {
    // The emulator has no /nowhere/models: a 404 from the provider is a failed probe.
    const res = await health({ LLM_BASE_URL: `${env.LLM_BASE_URL}/nowhere` });
    expect(res.status).toBe(503);
    expect(res.json.services.llm_api).toBe("unhealthy");
  });

  it("is degraded (200) when the embeddings provider is down, and says so under vector_database", async () => {
    const res = await health({ EMBEDDINGS_BASE_URL: env.TEST_CLOSED_URL });
    expect(res.status).toBe(200);
    expect(res.json.status).toBe("degraded");
    expect(res.json.services.vector_database).toBe("unhealthy");
    expect(res.json.services.llm_api).toBe("healthy");
  });

  it("reports vector_database not_configured when no embeddings provider resolves", async () => {
    expect(await probeVectorDatabase({} as typeof env, 500)).toBe("not_configured");
  });

  it("is degraded (200) when Redis is down behind the REST endpoint", async () => {
    const res = await health({ ...upstash, UPSTASH_REDIS_REST_URL: env.TEST_UPSTASH_REDIS_DOWN_URL });
    expect(res.status).toBe(200);
    expect(res.json.status).toBe("degraded");
    expect(res.json.services.redis).toBe("unhealthy");
    expect(res.json.services.llm_api).toBe("healthy");
  });

  it("is degraded when the Upstash endpoint itself is unreachable", async () => {
    const res = await health({ ...upstash, UPSTASH_REDIS_REST_URL: env.TEST_CLOSED_URL });
    expect(res.status).toBe(200);
    expect(res.json.services.redis).toBe("unhealthy");
  });

  it("reports a wrong Upstash token as unhealthy", async () => {
    const res = await health({ ...upstash, UPSTASH_REDIS_REST_TOKEN: "wrong", UPSTASH_REDIS_REST_URL: `${env.TEST_UPSTASH_URL}/` });
    expect(res.json.services.redis).toBe("unhealthy");
  });

  it("counts uptime in whole seconds since the isolate started", async () => {
    const first = (await health({})).json.uptime_seconds;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const second = (await health({})).json.uptime_seconds;
    expect(second - first).toBeGreaterThanOrEqual(1);
    // Seconds, not milliseconds, however slow the machine.
    expect(second - first).toBeLessThan(30);
  });

  it("reuses probe results for a few seconds", async () => {
    const overrides = { LLM_BASE_URL: `${env.LLM_BASE_URL}/` };
    const first = await health(overrides);
    const second = await health(overrides);
    expect(second.json.details.checked_at).toBe(first.json.details.checked_at);
    expect(Date.parse(second.json.timestamp)).toBeGreaterThanOrEqual(Date.parse(first.json.timestamp));
  });

  it("shows the Replicate models and versions the next jobs run: pinned, official, configured, resolved here", async () => {
    const models = (await health({})).json.details.media_models;
    expect(models).toEqual(
      expect.arrayContaining([
        { model: "jaaari/kokoro-82m", version: PINNED_VERSIONS["jaaari/kokoro-82m"], source: "pinned" },
        { model: "resemble-ai/chatterbox", version: PINNED_VERSIONS["resemble-ai/chatterbox"], source: "pinned" },
        { model: "cjwbw/sadtalker", version: PINNED_VERSIONS["cjwbw/sadtalker"], source: "pinned" },
        { model: "bytedance/omni-human", version: null, source: "official" },
        { model: "bytedance/seedance-1-lite", version: null, source: "official" },
      ]),
    );
    const configured = (await health({ REPLICATE_MODEL_VERSIONS: JSON.stringify({ "cjwbw/sadtalker": "ab".repeat(32) }) })).json.details.media_models;
    expect(configured).toContainEqual({ model: "cjwbw/sadtalker", version: "ab".repeat(32), source: "configured" });

    // A model this isolate resolved through the models API.
    const model = uniqueModel("health");
    await registerModel({ model, version: "f6".repeat(32) });
    const gpu = selectGpuProvider(gpuProviderOptions(config(env)), "replicate")!;
    const prediction = await gpu.submit({
      jobId: "media_healthresolved01",
      call: { kind: "voice", model, input: { text: "resolve me" } },
      webhookUrl: "http://chattr.test/webhooks/replicate/media_healthresolved01",
    });
    await gpu.cancel(prediction.id);
    const resolved = (await health({})).json.details.media_models.find((m: { model: string }) => m.model === model);
    expect(resolved).toEqual({ model, version: "f6".repeat(32), source: "resolved", resolved_at: expect.stringMatching(/Z$/) });
  });

  it("shows no Replicate models when Cog is the media provider", async () => {
    expect((await health({ MEDIA_PROVIDER: "cog" })).json.details.media_models).toBeNull();
  });
});

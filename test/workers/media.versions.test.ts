/**
 * Which Replicate version a job runs (gpu-jobs/model-versions.ts), against the strict GPU emulator:
 * pinned community models by version, official models by name, unpinned ones resolved once through the
 * models API and cached, refused pins resolved and retried, and models that fail for good failing the job
 * with a message naming the model and version.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createWithVersion, type RunTarget, versionsInUse } from "../../gpu-jobs/model-versions";
import { PINNED_VERSIONS, sceneCall } from "../../gpu-jobs/models";
import { selectGpuProvider } from "../../gpu-jobs/providers/select";
import { ProviderError, type SubmitRequest } from "../../gpu-jobs/providers/types";
import { config } from "../../workers/config";
import { getCharacterRow } from "../../workers/db/characters";
import { getDb } from "../../workers/db/client";
import { createJob } from "../../workers/media/create";
import { gpuProviderOptions } from "../../workers/media/gpu-provider";
import { getJob } from "../../workers/media/store";
import { submitJob } from "../../workers/media/submit-job";
import { api } from "../support/api";
import { env } from "../support/env";
import { modelReads, recordFetches, registerModel, uniqueModel } from "../support/gpu-models";
import { terminal, waitForStatus } from "../support/media";

vi.setConfig({ testTimeout: 30_000 });
afterEach(() => vi.restoreAllMocks());

const KOKORO = "jaaari/kokoro-82m";
const KOKORO_PIN = PINNED_VERSIONS[KOKORO]!;
const BASE = env.REPLICATE_BASE_URL!;
// A well-formed version id that Replicate (the emulator) has never heard of.
const UNKNOWN_VERSION = "0".repeat(64);

/** The Worker's provider for these variables, with what it logs collected. */
function provider(variables: Record<string, unknown> = {}) {
  const events: { event: string; fields: Record<string, unknown> }[] = [];
  const options = gpuProviderOptions(config({ ...env, ...variables }));
  const gpu = selectGpuProvider({ ...options, log: (event, fields) => events.push({ event, fields }) }, "replicate")!;
  return { gpu, events };
}

let jobs = 0;
/** A create as submitJob makes it; the prediction is canceled at once (only its creation matters here). */
async function submit(gpu: ReturnType<typeof provider>["gpu"], call: SubmitRequest["call"]) {
  const jobId = `media_versions${String(++jobs).padStart(8, "0")}`;
  const prediction = await gpu.submit({ jobId, call, webhookUrl: `http://chattr.test/webhooks/replicate/${jobId}` });
  await gpu.cancel(prediction.id);
  return prediction as typeof prediction & { model: string; version: string };
}

const toReplicate = (seen: { method: string; url: string; body?: any }[]) =>
  seen.filter((r) => r.url.startsWith(BASE)).map((r) => ({ method: r.method, path: r.url.slice(BASE.length), version: r.body?.version as string | undefined }));

const voice = (model: string, text = "versions") => ({ kind: "voice" as const, model, input: { text, voice: "af_bella", speed: 1 } });

describe("which version a prediction runs", () => {
  it("a pinned community model: POST /v1/predictions with the catalogue's pin", async () => {
    const { gpu } = provider();
    const seen = recordFetches();
    const prediction = await submit(gpu, voice(KOKORO));
    expect(prediction).toMatchObject({ model: KOKORO, version: KOKORO_PIN });
    expect(toReplicate(seen)[0]).toEqual({ method: "POST", path: "/predictions", version: KOKORO_PIN });
  });

  it("an official model: by name, at POST /v1/models/{owner}/{name}/predictions, with the catalogue's own input", async () => {
    const { gpu } = provider();
    const seen = recordFetches();
    const call = sceneCall("a lighthouse at dusk", { width: 512, height: 512, duration_seconds: 4, style: "cinematic", mode: "scene" });
    const prediction = await submit(gpu, call);
    expect(prediction.model).toBe("bytedance/seedance-1-lite");
    expect(toReplicate(seen)[0]).toEqual({ method: "POST", path: "/models/bytedance/seedance-1-lite/predictions", version: undefined });
  });

  it("an unpinned community model is resolved once through the models API; the next job uses the cache", async () => {
    const model = uniqueModel("unpinned");
    await registerModel({ model, version: "a1".repeat(32), like: KOKORO });
    const { gpu, events } = provider();
    const seen = recordFetches();
    expect((await submit(gpu, voice(model, "first"))).version).toBe("a1".repeat(32));
    expect((await submit(gpu, voice(model, "second"))).version).toBe("a1".repeat(32));
    expect(toReplicate(seen).filter((r) => r.path === "/predictions" || r.path.startsWith("/models/"))).toEqual([
      { method: "GET", path: `/models/${model}`, version: undefined },
      { method: "POST", path: "/predictions", version: "a1".repeat(32) },
      { method: "POST", path: "/predictions", version: "a1".repeat(32) },
    ]);
    expect(await modelReads(model)).toBe(1);
    expect(events).toEqual([{ event: "replicate_version_resolved", fields: { model, version: "a1".repeat(32), replaces: null } }]);
    expect(versionsInUse(BASE).find((m) => m.model === model)).toMatchObject({ version: "a1".repeat(32), source: "resolved" });
  });

  it("a pin Replicate refuses (422) is resolved and the create retried; the resolution then stands in for that pin", async () => {
    const { gpu, events } = provider({ REPLICATE_MODEL_VERSIONS: JSON.stringify({ [KOKORO]: UNKNOWN_VERSION }) });
    const seen = recordFetches();
    expect((await submit(gpu, voice(KOKORO, "refused pin"))).version).toBe(KOKORO_PIN);
    expect((await submit(gpu, voice(KOKORO, "from the cache"))).version).toBe(KOKORO_PIN);
    expect(toReplicate(seen).filter((r) => r.path === "/predictions" || r.path.startsWith("/models/"))).toEqual([
      { method: "POST", path: "/predictions", version: UNKNOWN_VERSION },
      { method: "GET", path: `/models/${KOKORO}`, version: undefined },
      { method: "POST", path: "/predictions", version: KOKORO_PIN },
      { method: "POST", path: "/predictions", version: KOKORO_PIN },
    ]);
    expect(events.map((e) => e.event)).toEqual(["replicate_version_refused", "replicate_version_resolved"]);
    expect(events[0]!.fields).toMatchObject({ model: KOKORO, asked: `${KOKORO}:${UNKNOWN_VERSION}`, refusal: "HTTP 422: Invalid version or not permitted" });
    expect(events[1]!.fields).toEqual({ model: KOKORO, version: KOKORO_PIN, replaces: UNKNOWN_VERSION });
    expect(versionsInUse(BASE, { [KOKORO]: UNKNOWN_VERSION }).find((m) => m.model === KOKORO)).toMatchObject({
      version: KOKORO_PIN,
      source: "resolved",
      replaces: UNKNOWN_VERSION,
    });
    // The catalogue's own pin is not replaced by a resolution made for another pin.
    expect(versionsInUse(BASE).find((m) => m.model === KOKORO)).toEqual({ model: KOKORO, version: KOKORO_PIN, source: "pinned" });
  });
});

describe("a model that fails for good fails the job, naming the model and version", () => {
  /** A queued job for `model` (a voice job of the assistant), submitted as settle or the reconciler would. */
  async function submitted(model: string, input: Record<string, string | number | boolean>, variables: Record<string, unknown> = {}) {
    const db = getDb(env.DB);
    const character = (await getCharacterRow(db, "assistant"))!;
    const job = await createJob(db, { keyId: "key_admin", character, text: "fails", provider: "replicate", settings: {} }, { kind: "voice", model, input });
    await submitJob({ ...env, ...variables }, job.id);
    return (await getJob(db, job.id))!;
  }

  it("an unpinned model whose latest version Replicate refuses", async () => {
    const model = uniqueModel("refused");
    await registerModel({ model, version: "b2".repeat(32), refused: true });
    const job = await submitted(model, { text: "never runs" });
    expect(job.status).toBe("failed");
    expect(job.errorMessage).toContain(`${model}:${"b2".repeat(32)}`);
    expect(job.errorMessage).toContain("Invalid version or not permitted");
  });

  it("a refused pin whose latest version is refused too names both", async () => {
    const model = uniqueModel("both");
    await registerModel({ model, version: "c3".repeat(32), refused: true });
    const job = await submitted(model, { text: "never runs" }, { REPLICATE_MODEL_VERSIONS: JSON.stringify({ [model]: UNKNOWN_VERSION }) });
    expect(job.status).toBe("failed");
    expect(job.errorMessage).toContain(`${model}:${"c3".repeat(32)}`);
    expect(job.errorMessage).toContain(`${model}:${UNKNOWN_VERSION}`);
  });

  it("a model Replicate does not have at all", async () => {
    const model = uniqueModel("nowhere");
    const job = await submitted(model, { text: "never runs" }, { REPLICATE_MODEL_VERSIONS: JSON.stringify({ [model]: UNKNOWN_VERSION }) });
    expect(job.status).toBe("failed");
    expect(job.errorMessage).toContain(`${model}:${UNKNOWN_VERSION}`);
    expect(job.errorMessage).toContain(`Replicate has no model ${model}`);
  });

  it("an input the pinned version refuses (a Kokoro voice it does not have), through the API", async () => {
    const created = await api("POST", "/api/v1/characters", {
      body: { id: "no-such-voice", name: "Voiceless", voice_model: "kokoro:zz_nobody", capabilities: ["text", "voice"] },
    });
    expect(created.status, created.text).toBe(201);
    const res = await api("POST", "/api/v1/media/voice", { body: { text: "Hello there", character_id: "no-such-voice" } });
    expect(res.status, res.text).toBe(202);
    const done = (await waitForStatus(res.json.request_id, terminal)).at(-1);
    expect(done.status).toBe("failed");
    expect(done.error.message).toContain(`${KOKORO}:${KOKORO_PIN}`);
    expect(done.error.message).toContain("input.voice");
  });
});

describe("createWithVersion's rules (no HTTP)", () => {
  const refusedError = (why: string) => Object.assign(new Error(why), { refusal: why });
  function fake(options: { pin?: string; model?: string; refuse?: (target: RunTarget) => boolean; latest?: () => string }) {
    const calls: string[] = [];
    const run = {
      api: `fake://${crypto.randomUUID()}`,
      model: options.model ?? "someone/model",
      pin: options.pin,
      create: async (target: RunTarget) => {
        calls.push("version" in target ? `create ${target.version}` : `create by name ${target.model}`);
        if (options.refuse?.(target)) throw refusedError("HTTP 422: Invalid version or not permitted");
        return target;
      },
      latestVersion: async () => {
        calls.push("latest");
        return options.latest ? options.latest() : "v-latest";
      },
      refusal: (error: unknown) => (error as { refusal?: string }).refusal,
      wrap: (error: unknown) => new ProviderError(String(error), true),
      log: () => {},
    };
    return { run, calls };
  }

  it("an official model refused by name (404) falls back to its latest version", async () => {
    const { run, calls } = fake({ model: "bytedance/omni-human", refuse: (t) => "model" in t });
    expect(await createWithVersion(run)).toEqual({ version: "v-latest" });
    expect(calls).toEqual(["create by name bytedance/omni-human", "latest", "create v-latest"]);
  });

  it("a refused pin whose latest version is the same pin fails at once, without a second create", async () => {
    const { run, calls } = fake({ pin: "v1", latest: () => "v1", refuse: () => true });
    await expect(createWithVersion(run)).rejects.toThrow(
      /Replicate refused someone\/model:v1 \(HTTP 422: Invalid version or not permitted\), its latest version/,
    );
    expect(calls).toEqual(["create v1", "latest"]);
  });

  it("concurrent jobs of an unpinned model share one lookup", async () => {
    const { run, calls } = fake({});
    await Promise.all([createWithVersion(run), createWithVersion(run), createWithVersion(run)]);
    expect(calls.filter((c) => c === "latest")).toHaveLength(1);
    expect(calls.filter((c) => c === "create v-latest")).toHaveLength(3);
  });

  it("a resolution is kept an hour, then made again", async () => {
    const { run, calls } = fake({});
    const t0 = Date.parse("2030-01-01T00:00:00Z");
    await createWithVersion(run, t0);
    await createWithVersion(run, t0 + 59 * 60_000);
    await createWithVersion(run, t0 + 61 * 60_000);
    expect(calls).toEqual(["latest", "create v-latest", "create v-latest", "latest", "create v-latest"]);
  });

  it("a resolution that fails after a refused pin says both, and keeps the failure's retryability", async () => {
    const { run } = fake({
      pin: "v1",
      refuse: () => true,
      latest: () => {
        throw new ProviderError("Replicate model lookup failed (HTTP 503)", true);
      },
    });
    const error = await createWithVersion(run).catch((e: ProviderError) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).message).toBe(
      "Replicate refused someone/model:v1 (HTTP 422: Invalid version or not permitted); resolving its latest version failed: Replicate model lookup failed (HTTP 503)",
    );
    expect((error as ProviderError).retryable).toBe(true);
  });
});

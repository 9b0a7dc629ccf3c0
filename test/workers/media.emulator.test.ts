/**
 * The GPU emulator is as strict as Replicate (gpu-jobs/emulator/replicate-routes.ts): community models
 * only by version, known versions only, and inputs checked against each model's schema.
 */
import { afterEach, describe, expect, it } from "vitest";
import { PINNED_VERSIONS } from "../../gpu-jobs/models";
import { registerModel, replicateApi, uniqueModel } from "../support/gpu-models";

const KOKORO_PIN = PINNED_VERSIONS["jaaari/kokoro-82m"]!;
const CHATTERBOX_PIN = PINNED_VERSIONS["resemble-ai/chatterbox"]!;
const SADTALKER_PIN = PINNED_VERSIONS["cjwbw/sadtalker"]!;

// What a test created is canceled, so the shared emulator does not spend its CPU on it.
const created: string[] = [];
afterEach(async () => {
  for (const id of created.splice(0)) await replicateApi("POST", `/predictions/${id}/cancel`);
});

async function create(path: string, body: unknown) {
  const res = await replicateApi("POST", path, body);
  if (res.status === 201) created.push(res.json.id);
  return res;
}

describe("the model route is for official models only", () => {
  it.each(["jaaari/kokoro-82m", "resemble-ai/chatterbox", "cjwbw/sadtalker", "nobody/nothing"])("%s by name is 404, as Replicate answers", async (model) => {
    const res = await create(`/models/${model}/predictions`, { input: { text: "hi", prompt: "hi" } });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ detail: "The requested resource could not be found.", status: 404 });
  });

  it("an official model runs by name, as its latest version", async () => {
    const res = await create("/models/bytedance/omni-human/predictions", { input: { image: "https://example.com/a.png", audio: "https://example.com/a.wav" } });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    expect(res.json).toMatchObject({ model: "bytedance/omni-human", status: "starting" });
    expect(res.json.version).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("POST /v1/predictions by version", () => {
  it.each([
    ["a bare version id", KOKORO_PIN],
    ["owner/name:version", `jaaari/kokoro-82m:${KOKORO_PIN}`],
  ])("accepts a known version given as %s", async (_form, version) => {
    const res = await create("/predictions", { version, input: { text: "known", voice: "af_bella", speed: 1 } });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    expect(res.json).toMatchObject({ model: "jaaari/kokoro-82m", version: KOKORO_PIN });
  });

  it.each([
    ["an unknown version", "f".repeat(64)],
    ["a known version under another model's name", `cjwbw/sadtalker:${KOKORO_PIN}`],
    ["a community model's name without a version", "jaaari/kokoro-82m"],
  ])("refuses %s with 422 Invalid version", async (_case, version) => {
    const res = await create("/predictions", { version, input: { text: "hi" } });
    expect(res.status).toBe(422);
    expect(res.json).toMatchObject({ title: "Invalid version or not permitted", status: 422 });
  });

  it("a version registered by a test runs; one registered as refused does not", async () => {
    const model = uniqueModel("extra");
    await registerModel({ model, version: "d4".repeat(32) });
    expect((await create("/predictions", { version: "d4".repeat(32), input: { text: "anything goes" } })).status).toBe(201);
    await registerModel({ model, version: "e5".repeat(32), refused: true });
    expect((await create("/predictions", { version: "e5".repeat(32), input: { text: "not this one" } })).status).toBe(422);
    const listed = await replicateApi("GET", `/models/${model}`);
    expect(listed.json.latest_version.id).toBe("e5".repeat(32));
  });
});

describe("GET /v1/models/{owner}/{name}", () => {
  it("shows the latest version with its input schema", async () => {
    const res = await replicateApi("GET", "/models/cjwbw/sadtalker");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ owner: "cjwbw", name: "sadtalker", visibility: "public", latest_version: { id: SADTALKER_PIN } });
    expect(res.json.latest_version.openapi_schema.components.schemas.Input.required).toEqual(["source_image", "driven_audio"]);
  });

  it("is 404 for a model it does not have", async () => {
    expect((await replicateApi("GET", "/models/nobody/nothing")).status).toBe(404);
  });
});

describe("inputs are checked per model, as Replicate's schemas say", () => {
  const invalid = async (version: string, input: Record<string, unknown>) => {
    const res = await create("/predictions", { version, input });
    expect(res.status, JSON.stringify(res.json)).toBe(422);
    expect(res.json.title).toBe("Input validation failed");
    return res.json as { detail: string; invalid_fields: { type: string; field: string; description: string }[] };
  };

  it("a required field that is missing", async () => {
    const problem = await invalid(KOKORO_PIN, { voice: "af_bella" });
    expect(problem.invalid_fields).toEqual([{ type: "required", field: "input", description: "text is required" }]);
    expect(problem.detail).toBe("- input: text is required\n");
  });

  it("a value outside an enum: Kokoro's voice names", async () => {
    const problem = await invalid(KOKORO_PIN, { text: "hi", voice: "af_heart" });
    expect(problem.invalid_fields).toEqual([
      { type: "enum", field: "input.voice", description: expect.stringContaining('voice must be one of the following: "af_alloy"') },
    ]);
  });

  it.each([
    ["Kokoro's speed above 5", KOKORO_PIN, { text: "hi", speed: 5.5 }, "input.speed", "Must be less than or equal to 5"],
    ["Kokoro's speed below 0.1", KOKORO_PIN, { text: "hi", speed: 0.05 }, "input.speed", "Must be greater than or equal to 0.1"],
    ["Chatterbox's exaggeration above 2", CHATTERBOX_PIN, { prompt: "hi", exaggeration: 2.5 }, "input.exaggeration", "Must be less than or equal to 2"],
    ["Chatterbox's cfg_weight below 0.2", CHATTERBOX_PIN, { prompt: "hi", cfg_weight: 0.1 }, "input.cfg_weight", "Must be greater than or equal to 0.2"],
  ])("a number out of range: %s", async (_case, version, input, field, description) => {
    expect((await invalid(version, input)).invalid_fields).toEqual([{ type: expect.stringMatching(/^number_/), field, description }]);
  });

  it("a wrong type, a file that is no URL, and every fault at once", async () => {
    const problem = await invalid(SADTALKER_PIN, { source_image: "avatar.png", preprocess: "stretch", still: "yes" });
    expect(problem.invalid_fields).toEqual([
      { type: "required", field: "input", description: "driven_audio is required" },
      { type: "format", field: "input.source_image", description: "Does not match format 'uri'" },
      { type: "enum", field: "input.preprocess", description: 'preprocess must be one of the following: "crop", "resize", "full"' },
      { type: "invalid_type", field: "input.still", description: "Invalid type. Expected: boolean, given: string" },
    ]);
  });

  it("an official model's input on the model route (Seedance's resolution and duration)", async () => {
    const res = await create("/models/bytedance/seedance-1-lite/predictions", { input: { prompt: "a cat", resolution: "4k", duration: 30 } });
    expect(res.status).toBe(422);
    expect(res.json.invalid_fields.map((f: { field: string }) => f.field)).toEqual(["input.duration", "input.resolution"]);
  });

  it("what the catalogue sends passes: Chatterbox cloning a voice from a URL", async () => {
    const res = await create("/predictions", {
      version: CHATTERBOX_PIN,
      input: { prompt: "hi", audio_prompt: "https://example.com/voice.wav", exaggeration: 0.5, cfg_weight: 0.5 },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
  });
});

/**
 * The models the emulator knows, each version with the input schema Replicate publishes for it (the
 * fields the catalogue uses, their types, enums and ranges), and the check Replicate runs on a create's
 * input: a 422 "Input validation failed" whose `invalid_fields` name each field at fault.
 * Sources: each model's API page on replicate.com (Input schema) at the version pinned here.
 */

type Field =
  | { type: "string"; format?: "uri"; enum?: readonly string[] }
  | { type: "number" | "integer"; minimum?: number; maximum?: number; enum?: readonly number[] }
  | { type: "boolean" };

export interface InputSchema {
  required: readonly string[];
  properties: Readonly<Record<string, Field>>;
}

export interface KnownModel {
  model: string;
  /** Official models run by name (the model route); community models only by version. */
  official: boolean;
  description: string;
  version: string;
  input: InputSchema;
}

const uri = { type: "string", format: "uri" } as const;

// jaaari/kokoro-82m:f559560e lists these; its default is af_bella (af_heart is not among them).
const KOKORO_VOICES = [
  ...["af_alloy", "af_aoede", "af_bella", "af_jessica", "af_kore", "af_nicole", "af_nova", "af_river", "af_sarah", "af_sky"],
  ...["am_adam", "am_echo", "am_eric", "am_fenrir", "am_liam", "am_michael", "am_onyx", "am_puck"],
  ...["bf_alice", "bf_emma", "bf_isabella", "bf_lily", "bm_daniel", "bm_fable", "bm_george", "bm_lewis"],
  ...["ff_siwis", "hf_alpha", "hf_beta", "hm_omega", "hm_psi", "if_sara", "im_nicola"],
  ...["jf_alpha", "jf_gongitsune", "jf_nezumi", "jf_tebukuro", "jm_kumo"],
  ...["zf_xiaobei", "zf_xiaoni", "zf_xiaoxiao", "zf_xiaoyi", "zm_yunjian", "zm_yunxi", "zm_yunxia", "zm_yunyang"],
];

export const KNOWN_MODELS: readonly KnownModel[] = [
  {
    model: "jaaari/kokoro-82m",
    official: false,
    description: "Kokoro v1.0 - text-to-speech (82M params, based on StyleTTS2)",
    version: "f559560eb822dc509045f3921a1921234918b91739db4bf3daab2169b71c7a13",
    input: {
      required: ["text"],
      properties: { text: { type: "string" }, voice: { type: "string", enum: KOKORO_VOICES }, speed: { type: "number", minimum: 0.1, maximum: 5 } },
    },
  },
  {
    model: "resemble-ai/chatterbox",
    official: false,
    description: "Generate expressive, natural speech; clone a voice from a reference sample",
    version: "1b8422bc49635c20d0a84e387ed20879c0dd09254ecdb4e75dc4bec10ff94e97",
    input: {
      required: ["prompt"],
      properties: {
        prompt: { type: "string" },
        audio_prompt: uri,
        exaggeration: { type: "number", minimum: 0.25, maximum: 2 },
        cfg_weight: { type: "number", minimum: 0.2, maximum: 1 },
        temperature: { type: "number", minimum: 0.05, maximum: 5 },
        seed: { type: "integer" },
      },
    },
  },
  {
    model: "cjwbw/sadtalker",
    official: false,
    description: "Stylized audio-driven single image talking face animation",
    version: "3aa3dac9353cc4d6bd62a8f95957bd844003b401ca4e4a9b33baa574c549d376",
    input: {
      required: ["source_image", "driven_audio"],
      properties: {
        source_image: uri,
        driven_audio: uri,
        enhancer: { type: "string", enum: ["gfpgan", "RestoreFormer"] },
        preprocess: { type: "string", enum: ["crop", "resize", "full"] },
        ref_eyeblink: uri,
        ref_pose: uri,
        still: { type: "boolean" },
      },
    },
  },
  {
    model: "bytedance/omni-human",
    official: true,
    description: "Turns your audio and image into a video of a person speaking",
    version: "995b21f1d52efebc4af957713ae8b0d72f118dfcb67cb45730ffa9257c48cf72",
    input: { required: ["image", "audio"], properties: { image: uri, audio: uri } },
  },
  {
    model: "bytedance/seedance-1-lite",
    official: true,
    description: "A video generation model that offers text-to-video and image-to-video support",
    version: "f22bbc7d965c70af30ba3b157e3bb05d232136555885e934b92878ad773f48c1",
    input: {
      required: ["prompt"],
      properties: {
        prompt: { type: "string" },
        image: uri,
        last_frame_image: uri,
        duration: { type: "integer", minimum: 2, maximum: 12 },
        resolution: { type: "string", enum: ["480p", "720p", "1080p"] },
        aspect_ratio: { type: "string", enum: ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "9:21"] },
        fps: { type: "integer", enum: [24] },
        camera_fixed: { type: "boolean" },
        seed: { type: "integer" },
      },
    },
  },
];

/** One entry of a 422's `invalid_fields`. */
export interface InvalidField {
  type: string;
  field: string;
  description: string;
}

const jsonType = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "array" : Number.isInteger(value) ? "integer" : typeof value);

function isUri(value: string): boolean {
  try {
    return ["http:", "https:", "data:"].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

function checkField(name: string, field: Field, value: unknown): InvalidField | undefined {
  const at = `input.${name}`;
  const given = jsonType(value);
  const fits = field.type === "number" ? typeof value === "number" : field.type === "integer" ? given === "integer" : typeof value === field.type;
  if (!fits) return { type: "invalid_type", field: at, description: `Invalid type. Expected: ${field.type}, given: ${given}` };
  if ("enum" in field && field.enum && !(field.enum as readonly unknown[]).includes(value)) {
    return { type: "enum", field: at, description: `${name} must be one of the following: ${field.enum.map((v) => JSON.stringify(v)).join(", ")}` };
  }
  if ("minimum" in field && field.minimum !== undefined && (value as number) < field.minimum) {
    return { type: "number_gte", field: at, description: `Must be greater than or equal to ${field.minimum}` };
  }
  if ("maximum" in field && field.maximum !== undefined && (value as number) > field.maximum) {
    return { type: "number_lte", field: at, description: `Must be less than or equal to ${field.maximum}` };
  }
  if ("format" in field && field.format === "uri" && !isUri(value as string)) return { type: "format", field: at, description: "Does not match format 'uri'" };
  return undefined;
}

/** The fields at fault in `input`, in Replicate's terms; empty when it is valid. Fields the schema does not name are ignored, as Replicate does. */
export function checkInput(schema: InputSchema, input: Record<string, unknown>): InvalidField[] {
  const missing = schema.required.filter((name) => input[name] === undefined);
  const invalid = Object.entries(schema.properties).flatMap(([name, field]) => {
    const problem = input[name] === undefined ? undefined : checkField(name, field, input[name]);
    return problem ? [problem] : [];
  });
  return [...missing.map((name) => ({ type: "required", field: "input", description: `${name} is required` })), ...invalid];
}

/** The version's openapi_schema as GET /v1/models lists it: the Input component, enough for a reader to see the fields. */
export const openApiSchema = (schema: InputSchema) => ({
  openapi: "3.0.2",
  info: { title: "Cog", version: "0.1.0" },
  components: { schemas: { Input: { type: "object", title: "Input", required: schema.required, properties: schema.properties } } },
});

/**
 * The model catalogue: a character's voice_model / video_model plus the request's settings become a
 * model and its inputs. Defaults: Kokoro-82M for speech, Chatterbox when the voice is a reference
 * sample to clone (voice_model "clone:<url>" or a plain URL), SadTalker for the talking head (the
 * character's avatar driven by the speech) and Seedance-1-lite for text-to-video scenes.
 * Replicate runs its community models only by version, so each is pinned here (PINNED_VERSIONS);
 * official models (OFFICIAL_MODELS) run by name. model-versions.ts resolves what has no usable pin.
 */
import type { VideoSettings, VoiceSettings } from "../shared/schemas/media";

export type JobKind = "voice" | "talking_head" | "scene";

export interface ModelCall {
  kind: JobKind;
  /** owner/name on Replicate; `version` pins this call's version over the catalogue's and the configuration's. */
  model: string;
  version?: string;
  input: Record<string, string | number | boolean>;
}

export type Choice = { ok: true; call: ModelCall } | { ok: false; message: string };

const KOKORO = "jaaari/kokoro-82m";
const CHATTERBOX = "resemble-ai/chatterbox";
const SADTALKER = "cjwbw/sadtalker";
const OMNI_HUMAN = "bytedance/omni-human";
const SEEDANCE = "bytedance/seedance-1-lite";

/**
 * The community models' versions, as Replicate lists them (their input schemas are what the GPU
 * emulator checks). REPLICATE_MODEL_VERSIONS overrides any of them.
 */
export const PINNED_VERSIONS: Readonly<Record<string, string>> = {
  [KOKORO]: "f559560eb822dc509045f3921a1921234918b91739db4bf3daab2169b71c7a13",
  [CHATTERBOX]: "1b8422bc49635c20d0a84e387ed20879c0dd09254ecdb4e75dc4bec10ff94e97",
  [SADTALKER]: "3aa3dac9353cc4d6bd62a8f95957bd844003b401ca4e4a9b33baa574c549d376",
};

/** Replicate's official models: run by name (POST /v1/models/{owner}/{name}/predictions), never pinned. */
export const OFFICIAL_MODELS: ReadonlySet<string> = new Set([OMNI_HUMAN, SEEDANCE]);

/** Every model the catalogue can choose, for health. */
export const CATALOGUE_MODELS = [KOKORO, CHATTERBOX, SADTALKER, OMNI_HUMAN, SEEDANCE] as const;

/**
 * Kokoro voices for the characters' named voice models; "kokoro:<voice>" names one directly. The
 * pinned version's voice enum has no af_heart, so "default" is its own default voice, af_bella.
 */
const KOKORO_VOICES: Record<string, string> = { default: "af_bella", expressive: "af_nicole", calm: "af_bella", male: "am_michael", british: "bf_emma" };

// Chatterbox's "exaggeration" (0.25-2, 0.5 neutral) is how it expresses emotion.
const EXAGGERATION: Record<VoiceSettings["emotion"], number> = { neutral: 0.5, calm: 0.35, sad: 0.4, happy: 0.7, excited: 0.9, angry: 0.8 };

export function voiceCall(voiceModel: string | null, text: string, settings: VoiceSettings): Choice {
  const name = voiceModel ?? "default";
  const clone = name.startsWith("clone:") ? name.slice(6) : /^https?:\/\//.test(name) ? name : undefined;
  if (clone) {
    if (settings.speed !== 1) return { ok: false, message: "voice_settings.speed: this character's cloned voice speaks at speed 1.0 only" };
    if (settings.pitch !== 1) return { ok: false, message: "voice_settings.pitch: this character's voice model cannot shift pitch; use 1.0" };
    return {
      ok: true,
      call: { kind: "voice", model: CHATTERBOX, input: { prompt: text, audio_prompt: clone, exaggeration: EXAGGERATION[settings.emotion], cfg_weight: 0.5 } },
    };
  }
  const voice = name.startsWith("kokoro:") ? name.slice(7) : KOKORO_VOICES[name];
  if (!voice) return { ok: false, message: `character's voice_model ${JSON.stringify(name)} is not in the model catalogue` };
  // Kokoro takes a voice and a speed only: refuse what it cannot do rather than ignore it.
  if (settings.pitch !== 1) return { ok: false, message: "voice_settings.pitch: this character's voice model cannot shift pitch; use 1.0" };
  if (settings.emotion !== "neutral") return { ok: false, message: "voice_settings.emotion: this character's voice model speaks neutrally only" };
  return { ok: true, call: { kind: "voice", model: KOKORO, input: { text, voice, speed: settings.speed } } };
}

export function talkingHeadCall(videoModel: string | null, avatarUrl: string, audioUrl: string): ModelCall {
  if (videoModel === "omni-human") return { kind: "talking_head", model: OMNI_HUMAN, input: { image: avatarUrl, audio: audioUrl } };
  return { kind: "talking_head", model: SADTALKER, input: { source_image: avatarUrl, driven_audio: audioUrl, preprocess: "full", still: true } };
}

const ASPECTS = ["16:9", "4:3", "1:1", "3:4", "9:16", "21:9", "9:21"] as const;

export function sceneCall(text: string, settings: VideoSettings): ModelCall {
  const ratio = settings.width / settings.height;
  const aspect = ASPECTS.reduce(
    (best, a) => {
      const [w, h] = a.split(":").map(Number) as [number, number];
      const [bw, bh] = best.split(":").map(Number) as [number, number];
      return Math.abs(Math.log(w / h / ratio)) < Math.abs(Math.log(bw / bh / ratio)) ? a : best;
    },
    "1:1" as (typeof ASPECTS)[number],
  );
  const short = Math.min(settings.width, settings.height);
  const resolution = short <= 480 ? "480p" : short <= 720 ? "720p" : "1080p";
  // Seedance renders 5 or 10 seconds; the request's length rounds up to one of them.
  const duration = settings.duration_seconds <= 5 ? 5 : 10;
  return { kind: "scene", model: SEEDANCE, input: { prompt: `${text} (${settings.style} style)`, duration, resolution, aspect_ratio: aspect } };
}

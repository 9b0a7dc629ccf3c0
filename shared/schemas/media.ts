import { z } from "zod";
import { CharacterId, PathId, SessionId, Timestamp } from "./common";

/** Text to speak or show: non-empty, at most 5000 characters (a few minutes of speech). */
export const MAX_MEDIA_TEXT_CHARS = 5000;
const MediaText = z
  .string()
  .refine((s) => s.trim().length > 0, "text must not be empty")
  .refine((s) => [...s].length <= MAX_MEDIA_TEXT_CHARS, `text must be at most ${MAX_MEDIA_TEXT_CHARS} characters`);

const Emotion = z.enum(["neutral", "happy", "sad", "angry", "excited", "calm"]);

export const VoiceSettings = z
  .object({
    speed: z.number().min(0.5).max(2).default(1),
    pitch: z.number().min(0.5).max(2).default(1),
    emotion: Emotion.default("neutral"),
  })
  .strict();
export type VoiceSettings = z.infer<typeof VoiceSettings>;

export const VideoSettings = z
  .object({
    width: z.number().int().min(256).max(1920).default(1024),
    height: z.number().int().min(256).max(1920).default(1024),
    duration_seconds: z.number().min(1).max(10).default(5),
    style: z.string().trim().min(1).max(40).default("realistic"),
    /** `scene`: a text-to-video clip of the text; `talking_head`: the character's avatar speaking the text. */
    mode: z.enum(["scene", "talking_head"]).default("scene"),
  })
  .strict();
export type VideoSettings = z.infer<typeof VideoSettings>;

export const VoiceRequest = z.object({
  text: MediaText,
  character_id: CharacterId.default("assistant"),
  voice_settings: VoiceSettings.default({ speed: 1, pitch: 1, emotion: "neutral" }),
});
export type VoiceRequest = z.infer<typeof VoiceRequest>;

export const VideoRequest = z.object({
  text: MediaText,
  character_id: CharacterId.default("assistant"),
  video_settings: VideoSettings.default({ width: 1024, height: 1024, duration_seconds: 5, style: "realistic", mode: "scene" }),
});
export type VideoRequest = z.infer<typeof VideoRequest>;

/** The ids this API gives media requests. */
const GeneratedMediaRequestId = z.string().regex(/^media_[A-Za-z0-9]{8,64}$/, "not a media request id");

/** A media request id as a path names it (/media/status/{request_id}): an unknown one is 404, whatever its shape. */
export const MediaRequestId = PathId.describe("A media request id (media_...)");
const MediaType = z.enum(["voice", "video"]);
const MediaStatusValue = z.enum(["queued", "processing", "completed", "failed", "canceled"]);

export const MediaAccepted = z.object({
  request_id: GeneratedMediaRequestId,
  status: MediaStatusValue,
  media_type: MediaType,
  status_url: z.string(),
});
export type MediaAccepted = z.infer<typeof MediaAccepted>;

export const VoiceResult = z.object({
  /** Not in the reference's body: lets a client that waited still refer to the job. */
  request_id: GeneratedMediaRequestId,
  audio_url: z.string(),
  duration_seconds: z.number(),
  file_size_bytes: z.number().int(),
  format: z.literal("wav"),
  generated_at: Timestamp,
});
export type VoiceResult = z.infer<typeof VoiceResult>;

export const VideoResult = z.object({
  request_id: GeneratedMediaRequestId,
  video_url: z.string(),
  thumbnail_url: z.string().nullable(),
  duration_seconds: z.number(),
  resolution: z.string(),
  file_size_bytes: z.number().int(),
  generated_at: Timestamp,
});
export type VideoResult = z.infer<typeof VideoResult>;

export const MediaResult = z.object({
  audio_url: z.string().optional(),
  video_url: z.string().optional(),
  thumbnail_url: z.string().nullable().optional(),
  duration_seconds: z.number(),
  file_size_bytes: z.number().int(),
  format: z.string(),
  resolution: z.string().optional(),
});
export type MediaResult = z.infer<typeof MediaResult>;

export const MediaError = z.object({ code: z.string(), message: z.string() });
export type MediaError = z.infer<typeof MediaError>;

export const MediaStatus = z.object({
  request_id: GeneratedMediaRequestId,
  status: MediaStatusValue,
  progress: z.number().int().min(0).max(100),
  media_type: MediaType,
  result: MediaResult.optional(),
  error: MediaError.optional(),
  created_at: Timestamp,
  completed_at: Timestamp.nullable(),
});
export type MediaStatus = z.infer<typeof MediaStatus>;

/** Per-session media switch: replies of the session come with speech and/or video only when on. */
const SessionMediaSettings = z.object({ voice: z.boolean(), video: z.boolean() });
export const SessionMediaSettingsUpdate = SessionMediaSettings.partial().strict();
export const SessionMediaSettingsResponse = SessionMediaSettings.extend({ session_id: SessionId });
export type SessionMediaSettingsResponse = z.infer<typeof SessionMediaSettingsResponse>;

/**
 * A character's voice sample (PUT /api/v1/characters/{id}/voice): the file is the body, its Content-Type
 * names its format. Shared by the route, its OpenAPI entry and the client.
 */
export const VOICE_SAMPLE_LIMITS = {
  /** 10 MiB. */
  maxBytes: 10 * 1024 * 1024,
  minSeconds: 5,
  /** 5 minutes. */
  maxSeconds: 300,
} as const;

/** The formats a sample may have, each with the Content-Types that name it (the first is the one stored). */
export const VOICE_SAMPLE_TYPES = {
  wav: ["audio/wav", "audio/wave", "audio/x-wav", "audio/vnd.wave"],
  mp3: ["audio/mpeg", "audio/mp3"],
  m4a: ["audio/mp4", "audio/m4a", "audio/x-m4a"],
  ogg: ["audio/ogg", "application/ogg", "audio/opus"],
} as const;

export type VoiceSampleFormat = keyof typeof VOICE_SAMPLE_TYPES;

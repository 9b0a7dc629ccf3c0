/**
 * What an uploaded voice sample really is: its format and length from its bytes (music-metadata guesses
 * the format from the content, never from the name or the header), checked against the Content-Type the
 * client sent and the limits of shared/schemas/voice.ts. Any failure is a VoiceSampleError whose message
 * names the limit or the mismatch; nothing is stored before this answers.
 */
import { parseBuffer, type IFormat } from "music-metadata";
import { VOICE_SAMPLE_LIMITS, VOICE_SAMPLE_TYPES, type VoiceSampleFormat } from "../../shared/schemas/voice";

export interface VoiceSample {
  format: VoiceSampleFormat;
  contentType: string;
  durationSeconds: number;
}

export class VoiceSampleError extends Error {
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

const { minSeconds, maxSeconds } = VOICE_SAMPLE_LIMITS;
const FORMAT_NAMES = "WAV, MP3, M4A or OGG";
// The ftyp brands of an MP4 container, as music-metadata joins them ("M4A/isom/iso2", "isom/iso2/mp41").
const MP4_BRANDS = /^(M4A|M4B|mp4[12]|mp42|isom|iso\d|dash|3gp\d|3g2\w?)(\/|$)/i;

function formatOf(format: IFormat): VoiceSampleFormat | undefined {
  if (format.container === "WAVE") return "wav";
  if (format.container === "MPEG" && /Layer 3/.test(format.codec ?? "")) return "mp3";
  if (format.container === "Ogg") return "ogg";
  // An MP4 with a video track is a video, not a voice.
  if (MP4_BRANDS.test(format.container ?? "") && format.hasAudio && !format.hasVideo) return "m4a";
  return undefined;
}

/** The format the request's Content-Type names, or undefined. */
function declaredFormat(contentType: string | undefined): VoiceSampleFormat | undefined {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return (Object.keys(VOICE_SAMPLE_TYPES) as VoiceSampleFormat[]).find((f) => (VOICE_SAMPLE_TYPES[f] as readonly string[]).includes(type));
}

/** Reads and checks a sample (the size limit is the route's body limit, before any of this). */
export async function readVoiceSample(bytes: Uint8Array, contentType: string | undefined): Promise<VoiceSample> {
  const declared = declaredFormat(contentType);
  if (!declared) {
    throw new VoiceSampleError(`Content-Type must name the sample's format: ${Object.values(VOICE_SAMPLE_TYPES).flat().join(", ")}`, {
      content_type: contentType ?? null,
    });
  }
  if (bytes.length === 0) throw new VoiceSampleError(`The body is empty: send the ${FORMAT_NAMES} file itself`);
  let format: IFormat;
  try {
    ({ format } = await parseBuffer(bytes, { size: bytes.length }, { duration: true, skipCovers: true }));
  } catch {
    throw new VoiceSampleError(`The body is not a ${FORMAT_NAMES} audio file`);
  }
  const actual = formatOf(format);
  if (!actual) throw new VoiceSampleError(`The body is not a ${FORMAT_NAMES} audio file`, { container: format.container ?? null, codec: format.codec ?? null });
  if (actual !== declared) {
    throw new VoiceSampleError(`Content-Type ${contentType} does not match the file, which is ${actual.toUpperCase()} (${VOICE_SAMPLE_TYPES[actual][0]})`);
  }
  const seconds = format.duration;
  if (!seconds || !Number.isFinite(seconds)) throw new VoiceSampleError("The sample's duration cannot be read from the file");
  const duration = Math.round(seconds * 100) / 100;
  if (seconds < minSeconds) {
    throw new VoiceSampleError(`The sample is ${duration} s long: a voice sample must be at least ${minSeconds} seconds`, {
      duration_seconds: duration,
      min_seconds: minSeconds,
    });
  }
  if (seconds > maxSeconds) {
    throw new VoiceSampleError(`The sample is ${duration} s long: a voice sample must be at most ${maxSeconds} seconds (5 minutes)`, {
      duration_seconds: duration,
      max_seconds: maxSeconds,
    });
  }
  return { format: actual, contentType: VOICE_SAMPLE_TYPES[actual][0], durationSeconds: duration };
}

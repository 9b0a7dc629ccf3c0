/**
 * How far the talking head opens its mouth in each video frame: the loudness of the speech under that
 * frame, in a few steps (so a few drawn faces make any clip). Reads 16-bit PCM WAVs of any header
 * layout; other audio gets a steady talking rhythm.
 */

/** Distinct mouth openings, closed first. */
export const MOUTH_STEPS = [0, 0.35, 0.7, 1] as const;

interface Pcm16 {
  samples: Int16Array;
  sampleRate: number;
  channels: number;
}

/** The PCM of a 16-bit WAV, walking its chunks to `fmt ` and `data`; undefined for anything else. */
function readPcm16(bytes: Uint8Array): Pcm16 | undefined {
  if (bytes.length < 12) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (tag(0) !== "RIFF" || tag(8) !== "WAVE") return undefined;
  let format: { channels: number; sampleRate: number; bits: number; code: number } | undefined;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (tag(at) === "fmt " && size >= 16) {
      format = {
        code: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (tag(at) === "data" && format) {
      // WAVE_FORMAT_PCM, or WAVE_FORMAT_EXTENSIBLE (whose sub-format we take to be PCM at 16 bits).
      if ((format.code !== 1 && format.code !== 0xfffe) || format.bits !== 16 || !format.channels || !format.sampleRate) return undefined;
      const end = Math.min(bytes.length, body + size);
      const samples = new Int16Array(Math.floor((end - body) / 2));
      for (let i = 0; i < samples.length; i++) samples[i] = view.getInt16(body + i * 2, true);
      return { samples, sampleRate: format.sampleRate, channels: format.channels };
    }
    at = body + size + (size % 2);
  }
  return undefined;
}

/** The index into MOUTH_STEPS for each of `frames` frames at `fps`. */
export function mouthSteps(audio: Uint8Array | undefined, frames: number, fps: number): number[] {
  const pcm = audio && readPcm16(audio);
  if (!pcm) return Array.from({ length: frames }, (_, i) => [0, 2, 3, 1][i % 4]!);
  const perFrame = (pcm.sampleRate * pcm.channels) / fps;
  const levels = Array.from({ length: frames }, (_, f) => {
    const from = Math.floor(f * perFrame);
    const to = Math.min(pcm.samples.length, Math.floor((f + 1) * perFrame));
    let sum = 0;
    for (let i = from; i < to; i++) sum += pcm.samples[i]! * pcm.samples[i]!;
    return to > from ? Math.sqrt(sum / (to - from)) : 0;
  });
  const loudest = Math.max(...levels);
  const top = MOUTH_STEPS.length - 1;
  return levels.map((level) => (loudest > 0 ? Math.round((level / loudest) * top) : 0));
}

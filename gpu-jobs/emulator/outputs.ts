/**
 * The files the emulated models make: a Motion-JPEG talking face as long as its driving audio, a scene
 * of the requested length and aspect, or speech whose length follows the text and speed.
 */
import { buildMjpegMp4, faceFrame } from "./mp4.ts";
import { synthesizeSpeech, wavSeconds } from "./wav.ts";

export interface EmulatedFile {
  type: "audio/wav" | "video/mp4";
  bytes: Uint8Array<ArrayBuffer>;
}

/** Reads a driving audio: a data: URI, one of the emulator's own files, or any URL. */
export type ReadAudio = (url: string) => Promise<Uint8Array | undefined>;

export async function produceOutput(input: Record<string, unknown>, readAudio: ReadAudio): Promise<EmulatedFile> {
  const audioUrl = typeof input.driven_audio === "string" ? input.driven_audio : undefined;
  if (audioUrl) {
    const audio = await readAudio(audioUrl);
    const seconds = (audio && wavSeconds(audio)) || 3;
    const frames = [0, 0.5, 1, 0.3].map((open) => faceFrame(256, 256, open));
    return {
      type: "video/mp4",
      bytes: buildMjpegMp4({ width: 256, height: 256, fps: 10, durationSeconds: seconds, frame: (i) => frames[i % frames.length]! }),
    };
  }
  if (typeof input.prompt === "string" && (input.duration !== undefined || input.resolution !== undefined)) {
    const height = Number.parseInt(String(input.resolution ?? "480p"), 10) || 480;
    const [aw, ah] = String(input.aspect_ratio ?? "1:1")
      .split(":")
      .map(Number);
    const width = Math.round((height * (aw || 1)) / (ah || 1) / 16) * 16;
    const frames = [0, 1].map((k) => faceFrame(width, height, k, 120));
    return { type: "video/mp4", bytes: buildMjpegMp4({ width, height, fps: 2, durationSeconds: Number(input.duration ?? 5), frame: (i) => frames[i % 2]! }) };
  }
  const text = String(input.text ?? input.prompt ?? "");
  return { type: "audio/wav", bytes: synthesizeSpeech(text, Number(input.speed ?? 1)) };
}

/** `url`'s bytes, or undefined when it cannot be read; `ownFile` answers for the emulator's own URLs. */
export async function readAudioFrom(url: string, ownFile: (url: string) => EmulatedFile | undefined): Promise<Uint8Array | undefined> {
  if (url.startsWith("data:")) return new Uint8Array(Buffer.from(url.slice(url.indexOf(",") + 1), "base64"));
  const own = ownFile(url);
  if (own) return own.bytes;
  try {
    const response = await fetch(url);
    return response.ok ? new Uint8Array(await response.arrayBuffer()) : undefined;
  } catch {
    return undefined;
  }
}

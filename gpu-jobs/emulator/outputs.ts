/**
 * The files the emulated models make: an H.264 talking face as long as its driving audio (its mouth
 * follows the speech's loudness; the speech is the video's sound), a scene of the requested length and
 * aspect, or speech whose length follows the text and speed. Videos carry their first frame as cover
 * art, which becomes the job's thumbnail.
 */
import jpeg from "jpeg-js";
import { drawFace, FACE_STYLES, type FaceStyle } from "./face.ts";
import { encodeMp4 } from "./encode-mp4.ts";
import { MOUTH_STEPS, mouthSteps } from "./mouth.ts";
import { synthesizeSpeech, wavSeconds } from "./wav.ts";

export interface EmulatedFile {
  type: "audio/wav" | "video/mp4";
  bytes: Uint8Array<ArrayBuffer>;
}

/** Reads a driving audio: a data: URI, one of the emulator's own files, or any URL. */
export type ReadAudio = (url: string) => Promise<Uint8Array | undefined>;

const HEAD_SIZE = 256;
const HEAD_FPS = 10;
const SCENE_FPS = 2;
// Scenes are drawn this tall and scaled up by ffmpeg: drawing 1080p frames in JavaScript is slow.
const SCENE_DRAWN_HEIGHT = 180;

// Drawn once per process: the same style, size and mouth always give the same pixels.
const faces = new Map<string, Uint8Array>();
function face(width: number, height: number, style: keyof typeof FACE_STYLES, step: number): Uint8Array {
  const key = `${width}x${height} ${style} ${step}`;
  const drawn = faces.get(key) ?? drawFace(width, height, FACE_STYLES[style] as FaceStyle, MOUTH_STEPS[step]);
  faces.set(key, drawn);
  return drawn;
}

/** RGB24 pixels as a JPEG (the cover art). */
function toJpeg(rgb: Uint8Array, width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) data.set([rgb[i]!, rgb[i + 1]!, rgb[i + 2]!, 255], j);
  return new Uint8Array(jpeg.encode({ data, width, height }, 80).data);
}

/**
 * The output for a prediction's input. Two markers anywhere in the input make videos that the Worker
 * must repair or refuse: [[moov-last]] (moov after mdat) and [[mjpeg]] (Motion-JPEG, not H.264).
 */
export async function produceOutput(input: Record<string, unknown>, readAudio: ReadAudio): Promise<EmulatedFile> {
  const marked = JSON.stringify(input);
  const faults = { faststart: !marked.includes("[[moov-last]]"), motionJpeg: marked.includes("[[mjpeg]]") };
  const audioUrl = typeof input.driven_audio === "string" ? input.driven_audio : undefined;
  if (audioUrl) {
    const audio = await readAudio(audioUrl);
    const seconds = (audio && wavSeconds(audio)) || 3;
    const frameCount = Math.max(1, Math.round(seconds * HEAD_FPS));
    const steps = mouthSteps(audio, frameCount, HEAD_FPS);
    // The face looks like the avatar it animates, for the seed characters.
    const style = /\/creative\.png$/.test(String(input.source_image ?? input.image ?? "")) ? "creative" : "assistant";
    const frame = (i: number) => face(HEAD_SIZE, HEAD_SIZE, style, steps[i]!);
    const bytes = await encodeMp4({
      width: HEAD_SIZE,
      height: HEAD_SIZE,
      fps: HEAD_FPS,
      frameCount,
      frame,
      audioWav: audio && wavSeconds(audio) ? audio : undefined,
      coverJpeg: toJpeg(frame(0), HEAD_SIZE, HEAD_SIZE),
      ...faults,
    });
    return { type: "video/mp4", bytes };
  }
  if (typeof input.prompt === "string" && (input.duration !== undefined || input.resolution !== undefined)) {
    const height = Number.parseInt(String(input.resolution ?? "480p"), 10) || 480;
    const [aw, ah] = String(input.aspect_ratio ?? "1:1")
      .split(":")
      .map(Number);
    const width = Math.round((height * (aw || 1)) / (ah || 1) / 16) * 16;
    const drawnHeight = Math.min(height, SCENE_DRAWN_HEIGHT);
    const drawnWidth = Math.max(2, Math.round((width * drawnHeight) / height / 2) * 2);
    const frame = (i: number) => face(drawnWidth, drawnHeight, "scene", i % 2 ? 3 : 0);
    const bytes = await encodeMp4({
      width: drawnWidth,
      height: drawnHeight,
      outputWidth: width,
      outputHeight: height,
      fps: SCENE_FPS,
      frameCount: Math.max(1, Math.round(Number(input.duration ?? 5) * SCENE_FPS)),
      frame,
      coverJpeg: toJpeg(frame(0), drawnWidth, drawnHeight),
      ...faults,
    });
    return { type: "video/mp4", bytes };
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

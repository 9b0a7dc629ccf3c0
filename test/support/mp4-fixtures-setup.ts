import type { TestProject } from "vitest/node";
import { encodeMp4 } from "../../gpu-jobs/emulator/encode-mp4.ts";
import { drawFace, FACE_STYLES } from "../../gpu-jobs/emulator/face.ts";
import { synthesizeSpeech } from "../../gpu-jobs/emulator/wav.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** Base64 MP4s made by the emulator's encoder, which workerd cannot run: H.264 with moov last, and Motion-JPEG. */
    mp4MoovLast: string;
    mp4MotionJpeg: string;
  }
}

/** Small MP4s for the faststart and codec tests, made with ffmpeg before workerd starts. */
export default async function setup(project: TestProject) {
  const frames = [0, 1].map((open) => drawFace(64, 64, FACE_STYLES.assistant, open));
  const clip = { width: 64, height: 64, fps: 10, frameCount: 15, frame: (i: number) => frames[(i >> 2) % 2]! };
  const moovLast = await encodeMp4({ ...clip, faststart: false, audioWav: synthesizeSpeech("One two three.", 1) });
  const motionJpeg = await encodeMp4({ ...clip, motionJpeg: true });
  project.provide("mp4MoovLast", Buffer.from(moovLast).toString("base64"));
  project.provide("mp4MotionJpeg", Buffer.from(motionJpeg).toString("base64"));
}

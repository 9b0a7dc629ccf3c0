/**
 * H.264 MP4s for the emulator, made by the ffmpeg binary that @ffmpeg-installer ships inside its npm
 * package (libx264 and ffmpeg's AAC encoder; no download at install). Browsers play what this makes:
 * Constrained Baseline H.264 in yuv420p, AAC-LC sound, `moov` before `mdat` (`+faststart`).
 * Frames go to ffmpeg's stdin as raw RGB24; one thread and bit-exact flags keep the bytes the same
 * for the same input.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Mp4Options {
  /** The size the frames are drawn at. */
  width: number;
  height: number;
  fps: number;
  frameCount: number;
  /** Frame i as RGB24 (width * height * 3 bytes); frames may repeat. */
  frame(i: number): Uint8Array;
  /** The size of the video, when it differs from the frames' (ffmpeg scales them). Even numbers. */
  outputWidth?: number;
  outputHeight?: number;
  /** A WAV to play along (encoded as AAC). */
  audioWav?: Uint8Array;
  /** A JPEG stored as the file's cover art (its thumbnail). */
  coverJpeg?: Uint8Array;
  /** `moov` before `mdat` (default true; false makes the files the faststart tests repair). */
  faststart?: boolean;
  /** Motion-JPEG in place of H.264: the codec browsers refuse, for the tests that must refuse it too. */
  motionJpeg?: boolean;
}

/** The ffmpeg binary: FFMPEG_PATH, else the one for this platform from @ffmpeg-installer. */
export async function ffmpegPath(): Promise<string> {
  if (process.env.FFMPEG_PATH) return process.env.FFMPEG_PATH;
  // Loaded when first needed: the package throws at import on a platform it has no binary for.
  return (await import("@ffmpeg-installer/ffmpeg")).default.path;
}

function ffmpegArgs(o: Mp4Options, files: { audio?: string; cover?: string; out: string }): string[] {
  const inputs = ["-f", "rawvideo", "-pix_fmt", "rgb24", "-s", `${o.width}x${o.height}`, "-framerate", String(o.fps), "-i", "pipe:0"];
  const maps = ["-map", "0:v"];
  const scale = o.outputWidth && o.outputHeight ? `scale=${o.outputWidth}:${o.outputHeight}:flags=bilinear,` : "";
  const codecs = o.motionJpeg
    ? ["-c:v:0", "mjpeg", "-q:v:0", "5", "-filter:v:0", `${scale}format=yuvj420p`]
    : [
        "-c:v:0",
        "libx264",
        "-profile:v:0",
        "baseline",
        "-preset:v:0",
        "ultrafast",
        "-threads",
        "1",
        "-g:v:0",
        String(o.fps * 2),
        "-filter:v:0",
        `${scale}format=yuv420p`,
      ];
  if (files.audio) {
    inputs.push("-i", files.audio);
    maps.push("-map", "1:a");
    codecs.push("-c:a", "aac", "-b:a", "64k");
  }
  if (files.cover) {
    inputs.push("-i", files.cover);
    maps.push("-map", `${files.audio ? 2 : 1}:v`);
    // The mp4 muxer writes an attached picture as iTunes cover art (moov/udta/meta/ilst/covr), not a track.
    codecs.push("-c:v:1", "copy", "-disposition:v:1", "attached_pic");
  }
  return [
    ...["-hide_banner", "-loglevel", "error"],
    ...inputs,
    ...maps,
    ...codecs,
    // No encoder version or creation time in the file: the same input gives the same bytes.
    ...["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact", "-map_metadata", "-1"],
    ...(o.faststart === false ? [] : ["-movflags", "+faststart"]),
    ...["-f", "mp4", "-y", files.out],
  ];
}

/** Encodes the frames (and the audio) into an MP4. */
export async function encodeMp4(o: Mp4Options): Promise<Uint8Array<ArrayBuffer>> {
  // +faststart rewrites the finished file, so ffmpeg writes to a file rather than a pipe.
  const dir = await mkdtemp(join(tmpdir(), "gpu-emulator-"));
  try {
    const files = { out: join(dir, "out.mp4"), audio: o.audioWav && join(dir, "audio.wav"), cover: o.coverJpeg && join(dir, "cover.jpg") };
    if (files.audio) await writeFile(files.audio, o.audioWav!);
    if (files.cover) await writeFile(files.cover, o.coverJpeg!);
    await run(await ffmpegPath(), ffmpegArgs(o, files), o);
    const bytes = await readFile(files.out);
    return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function run(ffmpeg: string, args: string[], o: Mp4Options): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(ffmpeg, args, { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited with ${code}: ${stderr.trim()}`))));
    // A failed ffmpeg closes its stdin early: the close event reports why.
    child.stdin.on("error", () => undefined);
    (async () => {
      for (let i = 0; i < o.frameCount && child.exitCode === null; i++) {
        if (child.stdin.write(o.frame(i))) continue;
        await new Promise<void>((resume) => {
          const done = () => {
            child.stdin.off("drain", done);
            child.off("close", done);
            resume();
          };
          child.stdin.once("drain", done);
          child.once("close", done);
        });
      }
      child.stdin.end();
    })().catch(reject);
  });
}

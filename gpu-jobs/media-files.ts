/**
 * Reads what a generated file really is: duration and size from the bytes, never from the provider's
 * word. WAV through music-metadata; MP4 through mp4box (GPAC's parser), which also yields the frame
 * size and the codec (browsers play H.264 only: assertH264), and the file's JPEG cover art as a
 * ready-made thumbnail when it has one. A stored file is probed from its headers only (the WAV's first
 * bytes, the MP4's ftyp and moov boxes), read by range.
 */
import { parseWebStream } from "music-metadata";
import { createFile, MP4BoxBuffer } from "mp4box";
import { childBoxes, findBoxes, readBoxes } from "./mp4-boxes";

export interface AudioFacts {
  format: "wav";
  contentType: "audio/wav";
  durationSeconds: number;
  sampleRate: number;
}

export interface VideoFacts {
  format: "mp4";
  contentType: "video/mp4";
  durationSeconds: number;
  width: number;
  height: number;
  /** The video track's codec as MP4 names it (`avc1.42c00b`), and as people do ("H.264", "Motion-JPEG"). */
  codec: string;
  codecName: string;
  /** moov comes before mdat: a browser can start playing before it has the whole file. */
  faststart: boolean;
  /** The file's cover art (moov/udta/meta/ilst/covr) when it is a JPEG, else undefined. */
  thumbnailJpeg?: Uint8Array;
}

export class MediaFileError extends Error {}

/** `length` bytes of a stored file from `offset` (fewer at its end). */
export type ReadRange = (offset: number, length: number) => Promise<Uint8Array>;

/** Bytes of a WAV's start that hold its header (fmt and the data chunk's size) in every variant we meet. */
const WAV_HEADER_BYTES = 64 * 1024;
// A moov box is the MP4's index: kilobytes for a short clip; more than this is not a file we made.
const MAX_MOOV_BYTES = 8 * 1024 * 1024;
const MAX_TOP_LEVEL_BOXES = 64;

/** A WAV's facts from its first bytes (the whole file, or its header and the file's full size). */
export async function probeWav(bytes: Uint8Array, size = bytes.length): Promise<AudioFacts> {
  const riff = String.fromCharCode(...bytes.subarray(0, 4));
  const wave = String.fromCharCode(...bytes.subarray(8, 12));
  if (riff !== "RIFF" || wave !== "WAVE") throw new MediaFileError("the output is not a WAV file");
  // Given the file's size, music-metadata takes the duration from the data chunk's header and skips the samples.
  const header = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
  const { format } = await parseWebStream(header, { mimeType: "audio/wav", size }, { duration: true, skipPostHeaders: true });
  if (!format.duration || !format.sampleRate) throw new MediaFileError("the WAV file has no readable duration");
  return { format: "wav", contentType: "audio/wav", durationSeconds: round(format.duration), sampleRate: format.sampleRate };
}

export async function probeStoredWav(size: number, read: ReadRange): Promise<AudioFacts> {
  return probeWav(await read(0, Math.min(size, WAV_HEADER_BYTES)), size);
}

/**
 * An MP4's facts from its headers: the top-level boxes are walked by range reads to find ftyp and moov
 * (before or after mdat), and only those are parsed.
 */
export async function probeStoredMp4(size: number, read: ReadRange): Promise<VideoFacts> {
  const parts: Uint8Array[] = [];
  let samplesFirst = false;
  let offset = 0;
  for (let boxes = 0; offset + 8 <= size && boxes < MAX_TOP_LEVEL_BOXES; boxes++) {
    const head = await read(offset, Math.min(16, size - offset));
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const type = String.fromCharCode(...head.subarray(4, 8));
    let boxSize = view.getUint32(0);
    if (boxSize === 1 && head.length >= 16) boxSize = Number(view.getBigUint64(8));
    else if (boxSize === 0) boxSize = size - offset;
    if (boxSize < 8 || offset + boxSize > size) break;
    if (type === "ftyp" || type === "moov") {
      if (boxSize > MAX_MOOV_BYTES) throw new MediaFileError(`the MP4's ${type} box is larger than ${MAX_MOOV_BYTES} bytes`);
      parts.push(await read(offset, boxSize));
      if (type === "moov") break;
    }
    if (type === "mdat") samplesFirst = true;
    offset += boxSize;
  }
  const header = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    header.set(part, at);
    at += part.length;
  }
  return { ...probeMp4Header(header), faststart: !samplesFirst };
}

/** A whole MP4 in memory (tests, and files we make). */
export function probeMp4(bytes: Uint8Array): VideoFacts {
  const top = readBoxes(bytes);
  const moov = top.findIndex((box) => box.type === "moov");
  const mdat = top.findIndex((box) => box.type === "mdat");
  return { ...probeMp4Header(bytes), faststart: mdat < 0 || moov < mdat };
}

/**
 * Throws MediaFileError naming the codec unless the video is H.264 (`avc1`, or `avc3` with its
 * parameter sets in the stream), the one codec every browser plays in MP4.
 */
export function assertH264(facts: Pick<VideoFacts, "codec" | "codecName">): void {
  if (/^avc[13]\b/.test(facts.codec)) return;
  throw new MediaFileError(`the video is ${facts.codecName} (${facts.codec}), not H.264 (avc1): browsers do not play it`);
}

/** Parses ftyp and moov (the rest may be missing); sample offsets stay those of the whole file. */
function probeMp4Header(bytes: Uint8Array): Omit<VideoFacts, "faststart"> {
  const file = createFile();
  let error: string | undefined;
  file.onError = (_module: string, message: string) => (error = message);
  const buffer = MP4BoxBuffer.fromArrayBuffer(bytes.slice().buffer, 0);
  file.appendBuffer(buffer);
  file.flush();
  const info = file.getInfo();
  if (error || !info?.hasMoov) throw new MediaFileError(`the output is not a readable MP4 file${error ? `: ${error}` : ""}`);
  const track = info.videoTracks[0];
  if (!track?.video) throw new MediaFileError("the MP4 file has no video track");
  const durationSeconds = info.timescale ? info.duration / info.timescale : track.duration / track.timescale;
  const thumbnailJpeg = coverArtJpeg(bytes);
  return {
    format: "mp4",
    contentType: "video/mp4",
    durationSeconds: round(durationSeconds),
    width: track.video.width,
    height: track.video.height,
    codec: track.codec,
    codecName: isMotionJpeg(file, track.id, track.codec) ? "Motion-JPEG" : (CODEC_NAMES.find(([id]) => id.test(track.codec))?.[1] ?? track.codec),
    ...(thumbnailJpeg ? { thumbnailJpeg } : {}),
  };
}

const CODEC_NAMES: [RegExp, string][] = [
  [/^avc[13]/, "H.264"],
  [/^(hvc1|hev1)/, "H.265/HEVC"],
  [/^vp0?9/, "VP9"],
  [/^av01/, "AV1"],
  [/^mp4v/, "MPEG-4 Part 2"],
];

// An mp4v sample entry whose decoder config names MPEG-4 object type 0x6C is JPEG; "jpeg"/"mjpa"
// are the QuickTime sample entries of Motion-JPEG.
function isMotionJpeg(file: ReturnType<typeof createFile>, trackId: number, codec: string): boolean {
  if (/^(jpeg|mjpa|mjpb)/i.test(codec)) return true;
  const entry = file.getTrackById(trackId)?.mdia?.minf?.stbl?.stsd?.entries?.[0] as { esds?: { esd?: { getOTI?: () => number } } } | undefined;
  return entry?.esds?.esd?.getOTI?.() === 0x6c;
}

// iTunes-style cover art: moov/udta/meta/ilst/covr holds `data` boxes (type 13 is JPEG, 14 PNG) whose
// payload follows 8 bytes of type and locale. ffmpeg writes a video's attached picture there.
const COVER_JPEG = 13;

function coverArtJpeg(bytes: Uint8Array): Uint8Array | undefined {
  const [covr] = findBoxes(bytes, readBoxes(bytes), new Set(["covr"]));
  if (!covr) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const data of childBoxes(bytes, covr)) {
    const payload = data.offset + data.headerSize + 8;
    if (data.type !== "data" || payload + 2 > data.offset + data.size) continue;
    const image = bytes.slice(payload, data.offset + data.size);
    if (view.getUint32(data.offset + data.headerSize) === COVER_JPEG && image[0] === 0xff && image[1] === 0xd8) return image;
  }
  return undefined;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

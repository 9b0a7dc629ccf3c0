/**
 * Reads what a generated file really is: duration and size from the bytes, never from the provider's
 * word. WAV through music-metadata; MP4 through mp4box (GPAC's parser), which also yields the frame
 * size and, for Motion-JPEG video, the first frame as a ready-made JPEG thumbnail.
 */
import { parseBuffer } from "music-metadata";
import { createFile, MP4BoxBuffer } from "mp4box";

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
  codec: string;
  /** The first frame when the track is Motion-JPEG (a JPEG as it stands), else undefined. */
  firstFrameJpeg?: Uint8Array;
}

export class MediaFileError extends Error {}

export async function probeWav(bytes: Uint8Array): Promise<AudioFacts> {
  const riff = String.fromCharCode(...bytes.subarray(0, 4));
  const wave = String.fromCharCode(...bytes.subarray(8, 12));
  if (riff !== "RIFF" || wave !== "WAVE") throw new MediaFileError("the output is not a WAV file");
  const { format } = await parseBuffer(bytes, { mimeType: "audio/wav", size: bytes.length }, { duration: true });
  if (!format.duration || !format.sampleRate) throw new MediaFileError("the WAV file has no readable duration");
  return { format: "wav", contentType: "audio/wav", durationSeconds: round(format.duration), sampleRate: format.sampleRate };
}

export function probeMp4(bytes: Uint8Array): VideoFacts {
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
  let firstFrameJpeg: Uint8Array | undefined;
  if (isMotionJpeg(file, track.id, track.codec)) {
    const first = file.getTrackSamplesInfo(track.id)[0];
    if (first && first.offset + first.size <= bytes.length) {
      const frame = bytes.subarray(first.offset, first.offset + first.size);
      if (frame[0] === 0xff && frame[1] === 0xd8) firstFrameJpeg = frame.slice();
    }
  }
  return {
    format: "mp4",
    contentType: "video/mp4",
    durationSeconds: round(durationSeconds),
    width: track.video.width,
    height: track.video.height,
    codec: track.codec,
    firstFrameJpeg,
  };
}

// An mp4v sample entry whose decoder config names MPEG-4 object type 0x6C is JPEG; "jpeg"/"mjpa"
// are the QuickTime sample entries of Motion-JPEG.
function isMotionJpeg(file: ReturnType<typeof createFile>, trackId: number, codec: string): boolean {
  if (/^(jpeg|mjpa|mjpb)/i.test(codec)) return true;
  const entry = file.getTrackById(trackId)?.mdia?.minf?.stbl?.stsd?.entries?.[0] as { esds?: { esd?: { getOTI?: () => number } } } | undefined;
  return entry?.esds?.esd?.getOTI?.() === 0x6c;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

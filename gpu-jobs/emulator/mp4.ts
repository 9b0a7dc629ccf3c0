/**
 * A small, valid MP4 (ISO BMFF, moov before mdat) holding one Motion-JPEG video track: the codec a
 * few lines of JavaScript can produce without a video encoder. `mp4v` sample entry with object type
 * 0x6C (JPEG), as ISO/IEC 14496-1 registers it; ffprobe, VLC and mp4box read it.
 */
import jpeg from "jpeg-js";

export interface Mp4Options {
  width: number;
  height: number;
  fps: number;
  durationSeconds: number;
  /** The JPEG frame shown at frame i (frames repeat, so a few distinct pictures make a long clip). */
  frame(i: number): Uint8Array;
}

const TIMESCALE = 1000;
const enc = new TextEncoder();

function concat(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function u(bytes: number, value: number): Uint8Array {
  const out = new Uint8Array(bytes);
  for (let i = bytes - 1, v = value; i >= 0; i--, v = Math.floor(v / 256)) out[i] = v & 0xff;
  return out;
}

const box = (type: string, ...payload: Uint8Array[]) => {
  const body = concat(payload);
  return concat([u(4, 8 + body.length), enc.encode(type), body]);
};
const fullBox = (type: string, version: number, flags: number, ...payload: Uint8Array[]) => box(type, u(1, version), u(3, flags), ...payload);
const zeros = (n: number) => new Uint8Array(n);
const MATRIX = concat([u(4, 0x00010000), u(4, 0), u(4, 0), u(4, 0), u(4, 0x00010000), u(4, 0), u(4, 0), u(4, 0), u(4, 0x40000000)]);

function esds(): Uint8Array {
  const descriptor = (tag: number, ...body: Uint8Array[]) => {
    const b = concat(body);
    return concat([u(1, tag), u(1, b.length), b]);
  };
  const decoderConfig = descriptor(0x04, u(1, 0x6c), u(1, (0x04 << 2) | 1), u(3, 0), u(4, 0), u(4, 0));
  const sl = descriptor(0x06, u(1, 0x02));
  return fullBox("esds", 0, 0, descriptor(0x03, u(2, 1), u(1, 0), decoderConfig, sl));
}

function moov(o: Mp4Options, sizes: number[], offsets: number[]): Uint8Array {
  const delta = Math.round(TIMESCALE / o.fps);
  const duration = delta * sizes.length;
  const mvhd = fullBox("mvhd", 0, 0, u(4, 0), u(4, 0), u(4, TIMESCALE), u(4, duration), u(4, 0x00010000), u(2, 0x0100), zeros(10), MATRIX, zeros(24), u(4, 2));
  const tkhd = fullBox(
    "tkhd",
    0,
    3,
    u(4, 0),
    u(4, 0),
    u(4, 1),
    u(4, 0),
    u(4, duration),
    zeros(8),
    u(2, 0),
    u(2, 0),
    u(2, 0),
    u(2, 0),
    MATRIX,
    u(4, o.width * 65536),
    u(4, o.height * 65536),
  );
  const mdhd = fullBox("mdhd", 0, 0, u(4, 0), u(4, 0), u(4, TIMESCALE), u(4, duration), u(2, 0x55c4), u(2, 0));
  const hdlr = fullBox("hdlr", 0, 0, u(4, 0), enc.encode("vide"), zeros(12), enc.encode("VideoHandler\0"));
  const vmhd = fullBox("vmhd", 0, 1, zeros(8));
  const dinf = box("dinf", fullBox("dref", 0, 0, u(4, 1), fullBox("url ", 0, 1)));
  const mp4v = box(
    "mp4v",
    zeros(6),
    u(2, 1),
    zeros(16),
    u(2, o.width),
    u(2, o.height),
    u(4, 0x00480000),
    u(4, 0x00480000),
    u(4, 0),
    u(2, 1),
    zeros(32),
    u(2, 0x18),
    u(2, 0xffff),
    esds(),
  );
  const stbl = box(
    "stbl",
    fullBox("stsd", 0, 0, u(4, 1), mp4v),
    fullBox("stts", 0, 0, u(4, 1), u(4, sizes.length), u(4, delta)),
    fullBox("stsc", 0, 0, u(4, 1), u(4, 1), u(4, 1), u(4, 1)),
    fullBox("stsz", 0, 0, u(4, 0), u(4, sizes.length), ...sizes.map((s) => u(4, s))),
    fullBox("stco", 0, 0, u(4, offsets.length), ...offsets.map((s) => u(4, s))),
  );
  return box("moov", mvhd, box("trak", tkhd, box("mdia", mdhd, hdlr, box("minf", vmhd, dinf, stbl))));
}

export function buildMjpegMp4(o: Mp4Options): Uint8Array<ArrayBuffer> {
  const count = Math.max(1, Math.round(o.durationSeconds * o.fps));
  const frames = Array.from({ length: count }, (_, i) => o.frame(i));
  const sizes = frames.map((f) => f.length);
  const ftyp = box("ftyp", enc.encode("isom"), u(4, 0x200), enc.encode("isomiso2mp41"));
  // moov's size does not depend on the offsets' values, so lay it out once to learn where mdat starts.
  const moovSize = moov(
    o,
    sizes,
    sizes.map(() => 0),
  ).length;
  let offset = ftyp.length + moovSize + 8;
  const offsets = sizes.map((s) => {
    const at = offset;
    offset += s;
    return at;
  });
  return concat([ftyp, moov(o, sizes, offsets), box("mdat", ...frames)]);
}

/**
 * A cartoon face whose mouth opens by `open` (0-1), as a JPEG: enough to see a talking head move.
 * `hue` tints the background, so scene clips differ from faces.
 */
export function faceFrame(width: number, height: number, open: number, hue = 200): Uint8Array {
  const data = Buffer.alloc(width * height * 4);
  const cx = width / 2,
    cy = height / 2,
    r = Math.min(width, height) * 0.35;
  const [br, bg, bb] = hue === 200 ? [40, 90, 140] : [90, 140, 70];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const dx = x - cx,
        dy = y - cy;
      let c = [br, bg, bb];
      if (dx * dx + dy * dy < r * r) c = [240, 200, 160]; // face
      const eye = (ex: number) => (x - ex) ** 2 + (y - (cy - r * 0.3)) ** 2 < (r * 0.1) ** 2;
      if (eye(cx - r * 0.35) || eye(cx + r * 0.35)) c = [30, 30, 30];
      const mouthH = r * (0.05 + 0.3 * open);
      if (Math.abs(dx) < r * 0.35 && y > cy + r * 0.3 - mouthH / 2 && y < cy + r * 0.3 + mouthH / 2) c = [120, 20, 30];
      data[i] = c[0]!;
      data[i + 1] = c[1]!;
      data[i + 2] = c[2]!;
      data[i + 3] = 255;
    }
  }
  return new Uint8Array(jpeg.encode({ data, width, height }, 70).data);
}

/**
 * "Faststart" for an MP4 in memory, in plain JavaScript (a Worker runs no ffmpeg): when `moov` (the
 * index) comes after `mdat` (the samples), a browser must fetch the file's end before it can play
 * anything, and some players give up. This moves `moov` to just before the first `mdat` and shifts
 * every chunk offset (`stco`, `co64`) that pointed into the bytes that moved; the file keeps its size.
 *
 * @example
 * const playable = isFaststart(bytes) ? bytes : faststart(bytes);
 */
import { MediaFileError } from "./media-files";
import { type Box, findBoxes, readBoxes } from "./mp4-boxes";

const CHUNK_OFFSETS = new Set(["stco", "co64"]);

/** Where moov and the first mdat are among the file's top-level boxes. */
function layout(bytes: Uint8Array): { moov: Box; mdat?: Box } {
  const top = readBoxes(bytes);
  const moov = top.find((box) => box.type === "moov");
  if (!moov) throw new MediaFileError("the MP4 file has no moov box");
  return { moov, mdat: top.find((box) => box.type === "mdat") };
}

/** True when moov comes before the samples (or there is no mdat): nothing to move. */
export function isFaststart(bytes: Uint8Array): boolean {
  const { moov, mdat } = layout(bytes);
  return !mdat || moov.offset < mdat.offset;
}

/**
 * The same file with moov moved before the first mdat (a new array of the same size), or `bytes`
 * itself when it is already so. Throws MediaFileError when the file cannot be rewritten.
 */
export function faststart(bytes: Uint8Array): Uint8Array {
  const { moov, mdat } = layout(bytes);
  if (!mdat || moov.offset < mdat.offset) return bytes;
  // Everything from the first mdat up to moov moves later by moov's size; what follows moov stays.
  const moved = { from: mdat.offset, to: moov.offset, by: moov.size };
  const index = bytes.slice(moov.offset, moov.offset + moov.size);
  const view = new DataView(index.buffer);
  // A moov whose size field says "to the end of the file" gets its real size, as it will not be last.
  if (view.getUint32(0) === 0) view.setUint32(0, moov.size);
  const shift = (offset: number) => (offset >= moved.from && offset < moved.to ? offset + moved.by : offset);
  const tables = findBoxes(index, [{ ...moov, offset: 0 }], CHUNK_OFFSETS);
  if (!tables.length) throw new MediaFileError("the MP4 file has no chunk offset table");
  for (const table of tables) {
    // A full box: version and flags, the entry count, then 4-byte (stco) or 8-byte (co64) offsets.
    const entries = table.offset + table.headerSize + 8;
    const width = table.type === "co64" ? 8 : 4;
    const count = view.getUint32(entries - 4);
    if (entries + count * width > table.offset + table.size) throw new MediaFileError(`the MP4 file's ${table.type} box is cut short`);
    for (let i = 0; i < count; i++) {
      const at = entries + i * width;
      if (width === 8) view.setBigUint64(at, BigInt(shift(Number(view.getBigUint64(at)))));
      else {
        const offset = shift(view.getUint32(at));
        // Under MAX_OUTPUT_BYTES this cannot happen; growing stco into co64 would change moov's size.
        if (offset > 0xffff_ffff) throw new MediaFileError("the MP4 file's chunk offsets would not fit in 32 bits after moving moov");
        view.setUint32(at, offset);
      }
    }
  }
  const out = new Uint8Array(bytes.length);
  out.set(bytes.subarray(0, moved.from), 0);
  out.set(index, moved.from);
  out.set(bytes.subarray(moved.from, moved.to), moved.from + moved.by);
  out.set(bytes.subarray(moved.to + moved.by), moved.to + moved.by);
  return out;
}

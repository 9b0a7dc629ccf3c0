/**
 * ISO BMFF (MP4) boxes read straight from the bytes: the walk that the faststart rewrite
 * (mp4-faststart.ts) and the cover-art thumbnail (media-files.ts) need, and nothing more. mp4box parses
 * what a box means; this says where boxes are.
 */

export interface Box {
  type: string;
  /** Where the box starts (its size field), from the start of the bytes walked. */
  offset: number;
  size: number;
  /** 8, or 16 with a 64-bit size. */
  headerSize: number;
}

/** Boxes that hold only other boxes, on the way to the sample tables and the metadata. */
const CONTAINERS = new Set(["moov", "trak", "mdia", "minf", "stbl", "udta", "ilst", "covr", "edts", "dinf"]);

/**
 * The boxes laid end to end in bytes[start, end). A size of 0 runs to `end`; a walk stops at a box that
 * does not fit (a file cut short), keeping the boxes before it.
 */
export function readBoxes(bytes: Uint8Array, start = 0, end = bytes.length): Box[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes: Box[] = [];
  for (let offset = start; offset + 8 <= end; ) {
    let size = view.getUint32(offset);
    let headerSize = 8;
    if (size === 1) {
      if (offset + 16 > end) break;
      size = Number(view.getBigUint64(offset + 8));
      headerSize = 16;
    } else if (size === 0) size = end - offset;
    if (size < headerSize || offset + size > end) break;
    boxes.push({ type: String.fromCharCode(...bytes.subarray(offset + 4, offset + 8)), offset, size, headerSize });
    offset += size;
  }
  return boxes;
}

/** The boxes inside `box`. `meta` is a full box in MP4 (4 bytes of version and flags first) but not in QuickTime. */
export function childBoxes(bytes: Uint8Array, box: Box): Box[] {
  let start = box.offset + box.headerSize;
  if (box.type === "meta" && String.fromCharCode(...bytes.subarray(start + 4, start + 8)) !== "hdlr") start += 4;
  return readBoxes(bytes, start, box.offset + box.size);
}

/** Every box under `boxes` (depth first) whose type is in `types`, descending through containers and meta. */
export function findBoxes(bytes: Uint8Array, boxes: Box[], types: ReadonlySet<string>): Box[] {
  const found: Box[] = [];
  for (const box of boxes) {
    if (types.has(box.type)) found.push(box);
    if (CONTAINERS.has(box.type) || box.type === "meta") found.push(...findBoxes(bytes, childBoxes(bytes, box), types));
  }
  return found;
}

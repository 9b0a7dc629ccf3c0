/**
 * The little of PNG that character cards need: walk the chunks (checking each CRC), read tEXt
 * chunks, and drop chunks by keyword. No pixel decoding. Spec: https://www.w3.org/TR/png-3/
 * Written here rather than taken from npm: the packages for this (png-chunks-extract and friends)
 * are unmaintained since 2016 and built on Node's Buffer; this is ~100 lines over Uint8Array.
 */

export const PNG_SIGNATURE = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngChunk {
  type: string;
  /** The chunk's data (without length, type and CRC). */
  data: Uint8Array;
  /** Where the whole chunk (length field first) starts and ends in the file. */
  start: number;
  end: number;
}

/** The file is not a well-formed PNG: truncated, corrupted, or not a PNG at all. */
export class PngError extends Error {
  override name = "PngError";
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (ISO 3309), as PNG computes it over a chunk's type and data. */
function crc32(...parts: Uint8Array[]): number {
  let crc = 0xffffffff;
  for (const bytes of parts) for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export const isPng = (bytes: Uint8Array) => bytes.length >= 8 && PNG_SIGNATURE.every((b, i) => bytes[i] === b);

// Latin-1 by hand: every byte is one code unit (TextDecoder's "latin1" label means windows-1252).
const latin1 = {
  decode(bytes: Uint8Array): string {
    let out = "";
    for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
    return out;
  },
};

/** Every chunk from IHDR to IEND; throws PngError on anything malformed. */
export function readChunks(bytes: Uint8Array): PngChunk[] {
  if (!isPng(bytes)) throw new PngError("not a PNG file (bad signature)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: PngChunk[] = [];
  let offset = 8;
  for (;;) {
    if (offset + 12 > bytes.length) throw new PngError("the PNG is truncated (no IEND chunk)");
    const length = view.getUint32(offset);
    const typeBytes = bytes.subarray(offset + 4, offset + 8);
    const type = latin1.decode(typeBytes);
    if (!/^[A-Za-z]{4}$/.test(type)) throw new PngError(`bad chunk type at byte ${offset}`);
    const dataStart = offset + 8;
    const dataEnd = dataStart + length;
    if (length > 0x7fffffff || dataEnd + 4 > bytes.length) throw new PngError(`the PNG is truncated (chunk ${type})`);
    const data = bytes.subarray(dataStart, dataEnd);
    if (view.getUint32(dataEnd) !== crc32(typeBytes, data)) throw new PngError(`the PNG is corrupted (bad CRC in chunk ${type})`);
    if (chunks.length === 0 && (type !== "IHDR" || length !== 13)) throw new PngError("the PNG does not start with IHDR");
    chunks.push({ type, data, start: offset, end: dataEnd + 4 });
    offset = dataEnd + 4;
    if (type === "IEND") return chunks;
  }
}

/** A tEXt chunk's keyword and text (both Latin-1), or undefined if it has no keyword separator. */
export function readText(chunk: PngChunk): { keyword: string; text: string } | undefined {
  if (chunk.type !== "tEXt") return undefined;
  const nul = chunk.data.indexOf(0);
  if (nul < 1 || nul > 79) return undefined;
  return { keyword: latin1.decode(chunk.data.subarray(0, nul)), text: latin1.decode(chunk.data.subarray(nul + 1)) };
}

/** The same PNG without the chunks `drop` selects (e.g. the embedded card, to store a lean avatar). */
export function withoutChunks(bytes: Uint8Array, chunks: PngChunk[], drop: (chunk: PngChunk) => boolean): Uint8Array {
  const kept = chunks.filter((chunk) => !drop(chunk));
  const out = new Uint8Array(8 + kept.reduce((sum, c) => sum + (c.end - c.start), 0));
  out.set(PNG_SIGNATURE, 0);
  let offset = 8;
  for (const chunk of kept) {
    out.set(bytes.subarray(chunk.start, chunk.end), offset);
    offset += chunk.end - chunk.start;
  }
  return out;
}

/** Encodes one chunk (length, type, data, CRC): for building PNGs in tests and tools. */
export function encodeChunk(type: string, data: Uint8Array): Uint8Array {
  const typeBytes = new TextEncoder().encode(type);
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(typeBytes, 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(typeBytes, data));
  return out;
}

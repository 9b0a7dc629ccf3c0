/**
 * Vectors as memory stores and compares them: Float32, kept in SQLite BLOB columns as little-endian
 * bytes, compared by the dot product of unit vectors (which is their cosine).
 */

// Every platform Workers run on is little-endian; the check keeps the byte order right anywhere else.
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The bytes of `v` for a BLOB column (a copy: the blob outlives any later change to `v`). */
export function toBlob(v: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice();
  const bytes = new Uint8Array(v.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < v.length; i++) view.setFloat32(i * 4, v[i]!, true);
  return bytes;
}

/**
 * The vector in a BLOB. Shares the blob's memory when it can (aligned, little-endian host): reading
 * 100,000 stored vectors for a search should not copy them. A Float32Array must start on a multiple of
 * 4 bytes, so a view at an odd offset is copied first.
 */
export function fromBlob(blob: ArrayBuffer | Uint8Array): Float32Array {
  const bytes = blob instanceof Uint8Array ? blob : new Uint8Array(blob);
  if (bytes.byteLength % 4 !== 0) throw new RangeError(`A vector blob must be a multiple of 4 bytes, not ${bytes.byteLength}`);
  const length = bytes.byteLength / 4;
  if (!LITTLE_ENDIAN) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Float32Array.from({ length }, (_, i) => view.getFloat32(i * 4, true));
  }
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, length);
  return new Float32Array(bytes.slice().buffer);
}

/** `v` scaled to length 1 (a new array); the zero vector stays zero, so it scores 0 against everything. */
export function normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  const out = new Float32Array(v.length);
  if (sum === 0) return out;
  const scale = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * scale;
  return out;
}

/**
 * The dot product; of two normalized vectors, their cosine similarity. This is the search's inner loop
 * (every stored vector against the query): four accumulators let the CPU overlap the additions instead
 * of waiting on one running sum, and the lengths are checked once, not per element.
 */
export function dot(a: Float32Array, b: Float32Array): number {
  const n = a.length;
  if (b.length !== n) throw new RangeError(`Vectors of different sizes: ${n} and ${b.length}`);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (const end = n - 3; i < end; i += 4) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
    s2 += a[i + 2]! * b[i + 2]!;
    s3 += a[i + 3]! * b[i + 3]!;
  }
  for (; i < n; i++) s0 += a[i]! * b[i]!;
  return s0 + s1 + s2 + s3;
}

/**
 * The memory object's vectors, in memory, quantized to 8 bits (one byte per dimension and a scale per
 * vector): a scan over 100,000 vectors of 384 dimensions reads 38 MB instead of 150 MB, and fits in an
 * object's 128 MB. The scan finds candidates; the caller re-scores them with the exact Float32 vectors.
 * Loaded from SQLite once per object lifetime, then kept in step with every write.
 */

/** A normalized vector as stored beside the exact one: a Float32 scale, then the int8 values. */
export function quantize(vector: Float32Array): Uint8Array {
  let max = 0;
  for (let i = 0; i < vector.length; i++) max = Math.max(max, Math.abs(vector[i]!));
  const scale = max === 0 ? 0 : max / 127;
  const packed = new Uint8Array(4 + vector.length);
  new DataView(packed.buffer).setFloat32(0, scale, true);
  const values = new Int8Array(packed.buffer, 4);
  for (let i = 0; i < vector.length; i++) values[i] = scale === 0 ? 0 : Math.round(vector[i]! / scale);
  return packed;
}

export interface IndexedVector {
  rowid: number;
  /** A small code for the item's kind and whether it is active, so searches filter without SQL. */
  tag: number;
  packed: Uint8Array;
}

export class VectorIndex {
  private dims = 0;
  private size = 0;
  private values = new Int8Array(0);
  private scales = new Float32Array(0);
  private rowids = new Float64Array(0);
  private tags = new Uint8Array(0);
  private readonly slotOf = new Map<number, number>();
  private free: number[] = [];

  private readonly expected: number;

  /** `expected` sizes the index at once (its first load), so loading many vectors never copies them while growing. */
  constructor(expected = 0) {
    this.expected = expected;
  }

  get count(): number {
    return this.slotOf.size;
  }

  /** Adds or replaces a row's vector. A vector of other dimensions than the index's resets it (a new model). */
  put({ rowid, tag, packed }: IndexedVector): void {
    const dims = packed.byteLength - 4;
    if (this.dims !== dims) {
      this.clear();
      this.dims = dims;
      this.values = new Int8Array(this.rowids.length * dims);
    }
    let slot = this.slotOf.get(rowid) ?? this.free.pop();
    if (slot === undefined) {
      if (this.size === this.rowids.length) this.grow();
      slot = this.size++;
    }
    this.slotOf.set(rowid, slot);
    this.values.set(new Int8Array(packed.buffer, packed.byteOffset + 4, dims), slot * dims);
    this.scales[slot] = new DataView(packed.buffer, packed.byteOffset, 4).getFloat32(0, true);
    this.rowids[slot] = rowid;
    this.tags[slot] = tag;
  }

  setTag(rowid: number, tag: number): void {
    const slot = this.slotOf.get(rowid);
    if (slot !== undefined) this.tags[slot] = tag;
  }

  remove(rowid: number): void {
    const slot = this.slotOf.get(rowid);
    if (slot === undefined) return;
    this.slotOf.delete(rowid);
    this.tags[slot] = 0;
    this.free.push(slot);
  }

  clear(): void {
    this.size = 0;
    this.slotOf.clear();
    this.free = [];
    this.tags.fill(0);
  }

  /** The `limit` best rows whose tag `accept`s, by approximate dot product with the (normalized) query. */
  search(query: Float32Array, limit: number, accept: (tag: number) => boolean): { rowid: number; score: number }[] {
    const dims = this.dims;
    if (query.length !== dims || limit <= 0) return [];
    const best: { rowid: number; score: number }[] = [];
    let floor = -Infinity;
    const values = this.values;
    for (let slot = 0; slot < this.size; slot++) {
      const tag = this.tags[slot]!;
      if (tag === 0 || !accept(tag)) continue;
      let sum = 0;
      const base = slot * dims;
      for (let i = 0; i < dims; i++) sum += query[i]! * values[base + i]!;
      const score = sum * this.scales[slot]!;
      if (best.length < limit) {
        best.push({ rowid: this.rowids[slot]!, score });
        if (best.length === limit) {
          best.sort((a, b) => a.score - b.score);
          floor = best[0]!.score;
        }
      } else if (score > floor) {
        // Keep the list sorted ascending: drop the worst, insert in place (limit is small).
        let i = 1;
        while (i < limit && best[i]!.score < score) {
          best[i - 1] = best[i]!;
          i++;
        }
        best[i - 1] = { rowid: this.rowids[slot]!, score };
        floor = best[0]!.score;
      }
    }
    return best.sort((a, b) => b.score - a.score);
  }

  private grow(): void {
    const capacity = Math.max(64, this.expected, this.rowids.length * 2);
    const values = new Int8Array(capacity * this.dims);
    values.set(this.values.subarray(0, this.size * this.dims));
    this.values = values;
    this.scales = copy(new Float32Array(capacity), this.scales);
    this.rowids = copy(new Float64Array(capacity), this.rowids);
    this.tags = copy(new Uint8Array(capacity), this.tags);
  }
}

function copy<T extends Float32Array | Float64Array | Uint8Array>(into: T, from: T): T {
  into.set(from as never);
  return into;
}

import type { WaitUntil } from "../env";

export interface RefreshingCacheOptions {
  /** The bound: no entry older than this is ever served. */
  maxAgeMs: number;
  /** Past this age an entry is still served, and reloaded in the background for the next reader. */
  refreshAfterMs: number;
  maxEntries: number;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  loadedAt: number;
  refreshing?: boolean;
}

/**
 * A per-isolate cache of what rarely changes (API keys, characters). A write in this isolate deletes
 * the entry; a write elsewhere is seen within `maxAgeMs`. Readers of a warm entry never wait for the
 * store: it is reloaded in the background once older than `refreshAfterMs`.
 */
export class RefreshingCache<K, V> {
  private readonly entries = new Map<K, Entry<V>>();
  private readonly loading = new Map<K, Promise<V>>();
  // Bumped by every delete: a load that started before one must not store what it read.
  private generation = 0;
  private readonly now: () => number;

  constructor(private readonly options: RefreshingCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The cached value, or `load()`'s; `keep` says whether a loaded value may be cached (e.g. not a miss). */
  async get(key: K, load: () => Promise<V>, { ctx, keep = () => true }: { ctx?: WaitUntil; keep?: (value: V) => boolean } = {}): Promise<V> {
    const entry = this.entries.get(key);
    const age = entry ? this.now() - entry.loadedAt : Number.POSITIVE_INFINITY;
    if (entry && age < this.options.maxAgeMs) {
      if (age >= this.options.refreshAfterMs && !entry.refreshing && ctx) {
        entry.refreshing = true;
        ctx.waitUntil(this.load(key, load, keep).catch(() => (entry.refreshing = false)));
      }
      return entry.value;
    }
    return this.loading.get(key) ?? this.load(key, load, keep);
  }

  /** The cached value if it is within the bound, without loading anything. */
  peek(key: K): V | undefined {
    const entry = this.entries.get(key);
    return entry && this.now() - entry.loadedAt < this.options.maxAgeMs ? entry.value : undefined;
  }

  delete(key: K): void {
    this.generation++;
    this.entries.delete(key);
    this.loading.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.loading.clear();
  }

  private load(key: K, load: () => Promise<V>, keep: (value: V) => boolean): Promise<V> {
    const generation = this.generation;
    const loadedAt = this.now();
    const pending = load().then(
      (value) => {
        if (this.loading.get(key) === pending) this.loading.delete(key);
        if (generation !== this.generation) return value;
        if (keep(value)) this.store(key, { value, loadedAt });
        else this.entries.delete(key);
        return value;
      },
      (error: unknown) => {
        if (this.loading.get(key) === pending) this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, pending);
    return pending;
  }

  private store(key: K, entry: Entry<V>): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
    // Maps keep insertion order: the first key is the least recently loaded.
    if (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }
}

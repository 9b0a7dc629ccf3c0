import type { JsonValue } from "../../db/schema/characters";
import type { LoreBook } from "../types";

export type JsonObject = { [key: string]: JsonValue };

/** A normalized book before it has an id, and with the name its document gives (if any). */
export type BookBody = Omit<LoreBook, "id" | "name"> & { name: string | null };

/** The document is not a lorebook we can take; the message says why and names the entry at fault. */
export class LorebookError extends Error {
  override name = "LorebookError";
}

export const isObject = (value: unknown): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);

/** How messages name an entry: its place in the file and, when it has one, its name. */
export function entryLabel(place: string, name: unknown): string {
  if (typeof name !== "string" || name.trim() === "") return `entry ${place}`;
  const short = name.length > 60 ? `${name.slice(0, 57)}...` : name;
  return `entry ${place} (${JSON.stringify(short)})`;
}

/**
 * Typed reads of one object's fields, for the normalizers: a field that is absent or null takes the
 * fallback, one of the wrong type is refused with a message naming where it is (or, in a lenient
 * reader, takes the fallback too). Nothing is written back: the object stays as it came, so an export
 * gives back every field.
 */
export class FieldReader {
  constructor(
    private readonly object: JsonObject,
    /** Where the object is, for messages: `entry 3 ("Elara")`. */
    readonly where: string,
    /**
     * Lenient readers read a V3 entry's `extensions`, where SillyTavern keeps its fields: extensions are
     * every application's namespace, so a value that is not what SillyTavern writes is someone else's.
     */
    private readonly lenient = false,
  ) {}

  private value(field: string): JsonValue | undefined {
    return Object.hasOwn(this.object, field) ? this.object[field] : undefined;
  }

  private wrong<T>(field: string, expected: string, fallback: T): T {
    if (this.lenient) return fallback;
    throw new LorebookError(`${this.where}: ${field} must be ${expected}`);
  }

  string(field: string, fallback: string): string {
    const value = this.value(field);
    if (value === undefined || value === null) return fallback;
    return typeof value === "string" ? value : this.wrong(field, "a string", fallback);
  }

  boolean(field: string, fallback: boolean): boolean;
  boolean(field: string, fallback: null): boolean | null;
  boolean(field: string, fallback: boolean | null): boolean | null {
    const value = this.value(field);
    if (value === undefined || value === null) return fallback;
    return typeof value === "boolean" ? value : this.wrong(field, "true or false", fallback);
  }

  number(field: string, fallback: number): number;
  number(field: string, fallback: null): number | null;
  number(field: string, fallback: number | null): number | null {
    const value = this.value(field);
    if (value === undefined || value === null) return fallback;
    return typeof value === "number" ? value : this.wrong(field, "a number", fallback);
  }

  /** SillyTavern writes `delayUntilRecursion` as a boolean or as a recursion level (a number). */
  flag(field: string): boolean {
    const value = this.value(field);
    if (value === undefined || value === null) return false;
    if (typeof value === "boolean") return value;
    return typeof value === "number" ? value > 0 : this.wrong(field, "true, false or a number", false);
  }

  /**
   * A list of keys. Old SillyTavern files write a comma-separated string, which SillyTavern splits on
   * load; so do we.
   */
  strings(field: string): string[] {
    const value = this.value(field);
    if (value === undefined || value === null) return [];
    if (typeof value === "string") {
      return value
        .split(",")
        .map((key) => key.trim())
        .filter(Boolean);
    }
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value as string[];
    return this.wrong(field, "a list of strings", []);
  }

  /** An entry's `extensions`, read leniently; absent or null reads as empty. */
  extensions(): FieldReader {
    const value = this.value("extensions");
    if (value === undefined || value === null) return new FieldReader({}, this.where, true);
    return isObject(value) ? new FieldReader(value, this.where, true) : this.wrong("extensions", "an object", new FieldReader({}, this.where, true));
  }
}

/**
 * Entry ids unique within a book: the entry's own id when it has one no other entry took, else its
 * place in the file, suffixed until it is free (two entries with one id would otherwise be one entry).
 */
export class EntryIds {
  private readonly seen = new Set<string>();

  take(own: JsonValue | undefined, place: string): string {
    const wanted = typeof own === "string" || typeof own === "number" ? String(own) : place;
    let id = wanted;
    for (let n = 2; this.seen.has(id); n++) id = `${wanted}~${n}`;
    this.seen.add(id);
    return id;
  }
}

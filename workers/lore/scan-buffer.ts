/**
 * The text keys are matched against, built as SillyTavern builds it: the newest message first, each
 * line prefixed with "\x01" and joined by "\n" (so `/\x01Alice:[^\x01]*hello/` matches only Alice
 * saying hello), `name: ` before each message when names are included, then the recursion buffer
 * (the content of entries that fired in earlier sweeps).
 *
 * The text is kept in segments (the messages down to a depth; each sweep's recursion content), each
 * lowercased and split into words at most once per activation, however many entries and sweeps ask.
 * A plain key cannot straddle two segments ("\n\x01" lies between them, and keys are trimmed), so a
 * plain key is looked for segment by segment; only a regex sees the joined text.
 */
import type { LoreMessage } from "./activation-types";

const MATCHER = "\x01";
const JOINER = `\n${MATCHER}`;

/** SillyTavern's ceiling on any scan depth. */
const MAX_SCAN_DEPTH = 1000;

/** Runs of word characters (ASCII letters, digits, `_`: JavaScript's `\w`, as SillyTavern's boundaries use). */
const NON_WORD = /[^A-Za-z0-9_]+/;

/** A 16-bit hash of three adjacent UTF-16 code units: what the segments' quick filter records. */
export function tripleHash(text: string, at: number): number {
  return (text.charCodeAt(at) * 961 + text.charCodeAt(at + 1) * 31 + text.charCodeAt(at + 2)) & 0xffff;
}

function triplesOf(text: string): Uint8Array {
  const bits = new Uint8Array(8192);
  for (let i = 0; i + 2 < text.length; i++) {
    const hash = tripleHash(text, i);
    bits[hash >> 3]! |= 1 << (hash & 7);
  }
  return bits;
}

export class Segment {
  private lowered: string | undefined;
  private rawWords: Set<string> | undefined;
  private lowerWords: Set<string> | undefined;
  private rawTriples: Uint8Array | undefined;
  private lowerTriples: Uint8Array | undefined;
  constructor(readonly raw: string) {}
  get lower(): string {
    this.lowered ??= this.raw.toLowerCase();
    return this.lowered;
  }
  /** Its whole words (of its lowercase form unless case-sensitive): a one-word key is a whole-word match iff it is one of them. */
  words(caseSensitive: boolean): Set<string> {
    if (caseSensitive) {
      this.rawWords ??= new Set(this.raw.split(NON_WORD));
      return this.rawWords;
    }
    this.lowerWords ??= new Set(this.lower.split(NON_WORD));
    return this.lowerWords;
  }
  /**
   * Whether every run of three characters of a key's text (given as `tripleHash`es) occurs here: a
   * necessary condition, checked in a few lookups, that spares most `includes` scans.
   */
  mayContain(triples: readonly number[], caseSensitive: boolean): boolean {
    if (caseSensitive) this.rawTriples ??= triplesOf(this.raw);
    else this.lowerTriples ??= triplesOf(this.lower);
    const bits = (caseSensitive ? this.rawTriples : this.lowerTriples)!;
    for (const hash of triples) if ((bits[hash >> 3]! & (1 << (hash & 7))) === 0) return false;
    return true;
  }
}

export class ScanText {
  private joined: string | undefined;
  constructor(readonly segments: readonly Segment[]) {}
  /** The whole text, as one string (what a regex key sees). */
  get raw(): string {
    this.joined ??= this.segments.map((segment) => segment.raw).join("\n");
    return this.joined;
  }
  get empty(): boolean {
    return this.segments.length === 0;
  }
}

export class ScanBuffer {
  /** Newest first. */
  private readonly lines: string[];
  private readonly messageSegments = new Map<number, Segment>();
  private readonly recursion: Segment[] = [];
  private texts = new Map<string, ScanText>();
  private latest = new ScanText([]);

  constructor(messages: LoreMessage[], includeNames: boolean) {
    this.lines = [];
    for (let i = messages.length - 1; i >= 0 && this.lines.length < MAX_SCAN_DEPTH; i--) {
      const message = messages[i]!;
      const content = message.content.trim();
      this.lines.push(includeNames && message.name ? `${message.name}: ${content}` : content);
    }
  }

  private messagesTo(depth: number): Segment | undefined {
    if (depth === 0) return undefined;
    let segment = this.messageSegments.get(depth);
    if (!segment) {
      segment = new Segment(MATCHER + this.lines.slice(0, depth).join(JOINER));
      this.messageSegments.set(depth, segment);
    }
    return segment;
  }

  /** The last `depth` messages, plus the recursion buffer when the entry's book scans recursively. */
  text(depth: number, withRecursion: boolean): ScanText {
    const messages = Math.max(0, Math.min(depth, MAX_SCAN_DEPTH, this.lines.length));
    const key = `${messages}:${withRecursion}`;
    let text = this.texts.get(key);
    if (!text) {
      const head = this.messagesTo(messages);
      text = new ScanText([...(head ? [head] : []), ...(withRecursion ? this.recursion : [])]);
      this.texts.set(key, text);
    }
    return text;
  }

  /** Only the recursion content the last sweep added: for plain keys known to miss all the text before it. */
  newest(): ScanText {
    return this.latest;
  }

  /** The content of the entries that fired in a sweep, for the sweeps after it. */
  addRecursion(content: string): void {
    const segment = new Segment(MATCHER + content);
    this.recursion.push(segment);
    this.latest = new ScanText([segment]);
    this.texts = new Map();
  }
}

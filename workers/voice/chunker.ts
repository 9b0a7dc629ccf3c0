/**
 * Cuts a reply into pieces of speech while the LLM still streams it (CHARACTER-ENGINE.md §4): the
 * first piece short, so that the first sound comes early, the later ones whole sentences up to about
 * 250 characters, so that the voice keeps its prosody. Pure data: no timers, no I/O; feed it the
 * deltas as they arrive and voice each chunk it returns.
 *
 * Sentences come from `Intl.Segmenter`, with guards for what it splits wrongly (abbreviations,
 * initials, ellipses, a dialogue tag after `!"`). A sentence counts as ended only once a letter has
 * come after it: until then the segmenter cannot tell "3. Apples" from "3. apples". Every decision
 * looks only at the start of the buffer, up to the first character past the chunk's maximum, so the
 * same reply gives the same chunks however its deltas are split.
 *
 * Before anything else, `*` and backticks are dropped (`*smiles*` is read "smiles", a code fence is
 * read as its text): markdown that a voice must not spell out. A `*` that means "times" goes too;
 * nothing else is rewritten. A chunk is one line (runs of whitespace become a space) and always holds
 * a letter or digit: a run of emoji or punctuation with nothing to say goes with the next chunk, or is
 * dropped at the end of the reply (it would be a silent TTS job).
 *
 * @example
 * const chunker = new SpeechChunker();
 * for await (const delta of stream) for (const text of chunker.push(delta)) voice(seq++, text);
 * for (const text of chunker.flush()) voice(seq++, text);
 */

/** The first chunk ends at the first sentence end at or past this many characters... */
export const FIRST_CHUNK_MIN_CHARS = 40;
/** ...and holds at most this many: about 5 s of speech, so that the first TTS job is quick. */
export const FIRST_CHUNK_MAX_CHARS = 80;
/** Later chunks: whole sentences merged up to this many characters (one TTS job each). */
export const CHUNK_MAX_CHARS = 250;
/** A sentence longer than CHUNK_MAX_CHARS is cut at a clause, or else a word, no earlier than this. */
const LONG_SENTENCE_MIN_CUT_CHARS = 125;
/**
 * What a Chinese, Japanese or Korean character counts for in the sizes above: about a syllable, as
 * long to say as three Latin letters (15 letters a second against 4 to 7 characters), so that a first
 * chunk in Chinese is as quick to voice as one in English (80 / 3: about 26 characters).
 */
export const CJK_CHAR_WEIGHT = 3;

// The `.` of these ends a word, not a sentence (matched on the end of a sentence, case-insensitive).
const ABBREVIATION = /(?:^|[^\p{L}\p{N}])(?:mrs?|ms|mx|dr|prof|sr|jr|st|mt|vs|etc|cf|approx|ca|fig|vol|dept|inc|ltd)\.$/iu;
// "J.", "e.g.", "i.e.", "U.S.": single letters each followed by a period.
const INITIALS = /(?:^|[^\p{L}\p{N}])(?:\p{L}\.)+$/u;
const ELLIPSIS = /(?:\.\.\.|…)$/u;
// After these a clause ends: ", " "; " ": " (a space after, so "3,000" and "10:30" are not cut), the
// CJK marks, a spaced dash, an em dash.
const CLAUSE = /[,;:](?=\s)|[，、；：]|\s[—–-](?=\s)|—/gu;
const MARKDOWN = /[*`]/g;
const WIDE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const LETTER = /\p{L}/u;
const SPEAKABLE = /[\p{L}\p{N}]/u;

export class SpeechChunker {
  #buffer = "";
  #first = true;
  #closed = false;
  readonly #sentences: Intl.Segmenter;
  readonly #graphemes: Intl.Segmenter;

  /** `locale`: the reply's language, for the sentence rules (they differ little between languages). */
  constructor(locale = "en") {
    this.#sentences = new Intl.Segmenter(locale, { granularity: "sentence" });
    this.#graphemes = new Intl.Segmenter(locale, { granularity: "grapheme" });
  }

  /** Adds a delta of the reply; returns the chunks it completed, in order (often none). */
  push(delta: string): string[] {
    if (this.#closed) return [];
    this.#buffer = (this.#buffer + delta.replace(MARKDOWN, "")).trimStart();
    return this.#drain();
  }

  /**
   * The reply has ended: returns what remains as one chunk (the buffer never holds more than a chunk:
   * push cuts as soon as it can), or none; then takes no more.
   */
  flush(): string[] {
    if (this.#closed) return [];
    const chunks = this.#drain();
    // Left without a letter or digit (an emoji, a "..."), the rest would be a silent TTS job: dropped.
    if (SPEAKABLE.test(this.#buffer)) chunks.push(tidy(this.#buffer));
    this.cancel();
    return chunks;
  }

  /** The reply was cancelled: drops what is buffered; push and flush return nothing from now on. */
  cancel(): void {
    this.#closed = true;
    this.#buffer = "";
  }

  #drain(): string[] {
    const chunks: string[] = [];
    for (;;) {
      const cut = this.#first ? this.#firstCut() : this.#laterCut();
      if (cut === undefined) return chunks;
      const chunk = tidy(this.#buffer.slice(0, cut.at));
      this.#buffer = this.#buffer.slice(cut.at).trimStart();
      if (!cut.silent) {
        chunks.push(chunk);
        this.#first = false;
      }
    }
  }

  /**
   * The first chunk: the first sentence end within [MIN, MAX] as soon as it is known; once more than
   * MAX is buffered without one, the last clause within [MIN, MAX], else the last sentence end, else
   * the last word boundary within [MIN, MAX], else as many characters as fit (CJK has no spaces).
   */
  #firstCut(): Cut | undefined {
    const view = new View(this.#buffer, FIRST_CHUNK_MIN_CHARS, FIRST_CHUNK_MAX_CHARS);
    if (view.fits && view.weight <= FIRST_CHUNK_MIN_CHARS) return undefined;
    const ends = this.#sentenceEnds(view.text);
    const early = view.first(ends);
    if (early !== undefined) return { at: early };
    if (view.fits) return undefined;
    if (view.silent) return { at: this.#graphemeCut(view), silent: true };
    return { at: view.last(clauseEnds(view.text)) ?? view.last(ends, 1) ?? view.last(wordEnds(view.text)) ?? this.#graphemeCut(view) };
  }

  /**
   * A later chunk: once more than CHUNK_MAX_CHARS is buffered, the sentences that fit; a sentence
   * alone longer than that is cut at a clause, else a word, else where it stops fitting.
   */
  #laterCut(): Cut | undefined {
    const view = new View(this.#buffer, LONG_SENTENCE_MIN_CUT_CHARS, CHUNK_MAX_CHARS);
    if (view.fits) return undefined;
    if (view.silent) return { at: this.#graphemeCut(view), silent: true };
    const at = view.last(this.#sentenceEnds(view.text), 1) ?? view.last(clauseEnds(view.text)) ?? view.last(wordEnds(view.text));
    return { at: at ?? this.#graphemeCut(view) };
  }

  /** Where the text's ended sentences end (after the closing punctuation and quotes, before spaces). */
  #sentenceEnds(text: string): number[] {
    const ends: number[] = [];
    for (const { index, segment } of this.#sentences.segment(text)) {
      const sentence = segment.trimEnd();
      const end = index + sentence.length;
      const next = LETTER.exec(text.slice(end));
      // No letter after it yet: the segmenter may still change its mind ("3. Apples" or "3. apples").
      if (!next) break;
      if (ABBREVIATION.test(sentence) || INITIALS.test(sentence) || ELLIPSIS.test(sentence)) continue;
      // `"Stop!" she said.` is one sentence; a line that starts in lower case is still a new line.
      const lower = next[0] !== next[0].toUpperCase();
      if (lower && !text.slice(end, end + next.index).includes("\n")) continue;
      ends.push(end);
    }
    return ends;
  }

  /** The last grapheme boundary that fits (never inside an emoji or a combined character). */
  #graphemeCut(view: View): number {
    let at = 0;
    for (const { index } of this.#graphemes.segment(view.text)) {
      if (index > view.fitting) break;
      at = index;
    }
    return at || view.fitting;
  }
}

interface Cut {
  at: number;
  /** The piece has nothing to say (emoji, punctuation): dropped rather than voiced as silence. */
  silent?: boolean;
}

/**
 * The start of the buffer that a decision may look at: up to and including the first character that
 * makes it weigh more than `max` (so that a reply decides the same however its deltas were split),
 * and the cuts allowed in it: weighing within [min, max], and after the first letter or digit.
 */
class View {
  readonly text: string;
  /** The whole buffer weighs at most `max`. */
  readonly fits: boolean;
  /** The longest start of the text that weighs at most `max`, in UTF-16 units. */
  readonly fitting: number;
  readonly #weights: number[];
  readonly #min: number;
  readonly #max: number;
  readonly #speakableFrom: number;

  constructor(buffer: string, min: number, max: number) {
    // weights[i]: what text[0, i) weighs.
    const weights = [0];
    while (weights.length <= buffer.length && weights.at(-1)! <= max) {
      weights.push(weights.at(-1)! + (WIDE.test(buffer[weights.length - 1]!) ? CJK_CHAR_WEIGHT : 1));
    }
    this.text = buffer.slice(0, weights.length - 1);
    this.fits = weights.at(-1)! <= max;
    this.fitting = this.fits ? this.text.length : this.text.length - 1;
    this.#weights = weights;
    this.#min = min;
    this.#max = max;
    // A cut at `at` keeps text[0, at): it must hold a letter or digit.
    const first = this.text.slice(0, this.fitting).search(SPEAKABLE);
    this.#speakableFrom = first < 0 ? Number.POSITIVE_INFINITY : first + 1;
  }

  get weight(): number {
    return this.#weights.at(-1)!;
  }

  /** Nothing to say in what fits. */
  get silent(): boolean {
    return this.#speakableFrom === Number.POSITIVE_INFINITY;
  }

  first(cuts: number[], min = this.#min): number | undefined {
    return cuts.find((at) => this.#allows(at, min));
  }

  last(cuts: number[], min = this.#min): number | undefined {
    return cuts.findLast((at) => this.#allows(at, min));
  }

  #allows(at: number, min: number): boolean {
    const weight = this.#weights[at] ?? Number.POSITIVE_INFINITY;
    return weight >= min && weight <= this.#max && at >= this.#speakableFrom;
  }
}

function clauseEnds(text: string): number[] {
  return [...text.matchAll(CLAUSE)].map((match) => match.index + match[0].length);
}

/** Where words end before whitespace (the text must show the space, not guess it). */
function wordEnds(text: string): number[] {
  return [...text.matchAll(/\S(?=\s)/gu)].map((match) => match.index + 1);
}

/** One line of text: whitespace runs (newlines too) become one space; no space at the ends. */
function tidy(text: string): string {
  return text.replace(/\s+/gu, " ").trim();
}

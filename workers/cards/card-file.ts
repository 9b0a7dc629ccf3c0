import { CharacterCard } from "../../shared/schemas/character-cards";
import { PngError, readChunks, readText, withoutChunks, isPng, type PngChunk } from "./png";

/** The upload is not a usable card; the message says why, `details` lists schema issues. */
export class CardError extends Error {
  override name = "CardError";
  constructor(
    message: string,
    readonly details?: { issues: { path: string; message: string }[] },
  ) {
    super(message);
  }
}

export interface ParsedCardFile {
  card: CharacterCard;
  /** For a PNG card: the image without its card chunks, to serve as the avatar. */
  image?: Uint8Array;
}

// tEXt keywords that carry cards: V3 (preferred, per the V3 spec) and V2.
const CARD_KEYWORDS = ["ccv3", "chara"] as const;
const isCardChunkKeyword = (keyword: string) => keyword === "ccv3" || keyword === "chara" || keyword.startsWith("chara-ext-asset_");

/** Validates a card object against the V2/V3 schemas. */
function parseCard(value: unknown): CharacterCard {
  const spec = (value as { spec?: unknown } | null)?.spec;
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new CardError("The card is not a JSON object");
  if (spec !== "chara_card_v2" && spec !== "chara_card_v3") {
    throw new CardError(`Unsupported card spec ${JSON.stringify(spec ?? null)}: expected "chara_card_v2" or "chara_card_v3"`);
  }
  const result = CharacterCard.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
    throw new CardError(`Invalid card: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`, { issues });
  }
  return result.data;
}

export function parseCardJson(text: string): CharacterCard {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch {
    throw new CardError("The card is not valid JSON");
  }
  return parseCard(value);
}

/** The card embedded in a PNG's `ccv3` or `chara` tEXt chunk (base64 of UTF-8 JSON). */
export function parseCardPng(bytes: Uint8Array): ParsedCardFile {
  let chunks: PngChunk[];
  try {
    chunks = readChunks(bytes);
  } catch (error) {
    if (error instanceof PngError) throw new CardError(`Unreadable PNG: ${error.message}`);
    throw error;
  }
  const texts = chunks.flatMap((chunk) => {
    const text = readText(chunk);
    return text ? [text] : [];
  });
  const found = CARD_KEYWORDS.map((keyword) => texts.find((t) => t.keyword === keyword)).find(Boolean);
  if (!found) throw new CardError("The PNG holds no character card (no ccv3 or chara tEXt chunk)");
  let json: string;
  try {
    json = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(Uint8Array.from(atob(found.text), (c) => c.charCodeAt(0)));
  } catch {
    throw new CardError(`The PNG's ${found.keyword} chunk is not base64 of UTF-8 text`);
  }
  const card = parseCardJson(json);
  const image = withoutChunks(bytes, chunks, (chunk) => {
    const text = readText(chunk);
    return text !== undefined && isCardChunkKeyword(text.keyword);
  });
  return { card, image };
}

/** A card file of either kind, told apart by its bytes: PNG by signature, anything else as JSON. */
export function parseCardFile(bytes: Uint8Array): ParsedCardFile {
  if (isPng(bytes)) return parseCardPng(bytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new CardError("The file is neither a PNG nor UTF-8 JSON");
  }
  return { card: parseCardJson(text) };
}

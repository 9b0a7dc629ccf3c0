import { exports } from "cloudflare:workers";
import { encodeChunk, PNG_SIGNATURE } from "../../workers/cards/png";
import { ADMIN_KEY, readResponse } from "./api";
import { env } from "./env";

const worker = (exports as unknown as { default: Fetcher }).default;

/** UTF-8 text as base64, the way card tools put JSON in a tEXt chunk. */
export function base64Utf8(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

/** A tEXt chunk: keyword, NUL, text (Latin-1; base64 is ASCII). */
export const textChunk = (keyword: string, text: string) => encodeChunk("tEXt", latin1(`${keyword}\0${text}`));

/**
 * A real 1x1 RGBA PNG, built from bytes: IHDR, one IDAT (zlib with a stored deflate block), the given
 * extra chunks, IEND. Any image viewer opens it.
 */
export function buildPng(extra: Uint8Array[] = []): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, 1); // width
  view.setUint32(4, 1); // height
  ihdr.set([8, 6, 0, 0, 0], 8); // 8 bits, RGBA, deflate, no filter method, not interlaced
  const raw = new Uint8Array([0, 255, 128, 0, 255]); // filter byte, one orange pixel
  const zlib = new Uint8Array([0x78, 0x01, 0x01, raw.length, 0, ~raw.length & 0xff, 0xff, ...raw, 0, 0, 0, 0]);
  new DataView(zlib.buffer).setUint32(zlib.length - 4, adler32(raw));
  const parts = [PNG_SIGNATURE, encodeChunk("IHDR", ihdr), encodeChunk("IDAT", zlib), ...extra, encodeChunk("IEND", new Uint8Array())];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A PNG card: the card JSON base64-encoded in a tEXt chunk named `keyword` ("chara" or "ccv3"). */
export const cardPng = (card: unknown, keyword = "chara") => buildPng([textChunk(keyword, base64Utf8(JSON.stringify(card)))]);

/** POSTs a raw body (bytes, form data...) to the Worker with the admin key unless told otherwise. */
export async function post(path: string, body: BodyInit, contentType?: string, key: string | null = ADMIN_KEY) {
  const headers: Record<string, string> = {};
  if (key) headers.Authorization = `Bearer ${key}`;
  if (contentType) headers["Content-Type"] = contentType;
  const response = await worker.fetch(`http://localhost${path}`, { method: "POST", headers, body });
  return readResponse(response);
}

export const getRaw = (path: string, headers: Record<string, string> = {}) => worker.fetch(`http://localhost${path}`, { headers });

/** The last chat-completions request whose newest user message contains `marker`, as the LLM got it. */
export async function llmRequestWith(marker: string): Promise<{ messages: { role: string; content: string }[] }> {
  const requests = (await (await fetch(env.LLM_BASE_URL!.replace(/\/v1$/, "/__emulator/requests"))).json()) as {
    messages: { role: string; content: string }[];
  }[];
  // Memory's own requests (fact extraction, summaries) quote the user's message too: only turns count.
  const found = requests.reverse().find((r) =>
    !/durable facts about the user|rolling summary/.test(r.messages[0]?.content ?? "") &&
    r.messages
      .filter((m) => m.role === "user")
      .at(-1)
      ?.content.includes(marker),
  );
  if (!found) throw new Error(`no LLM request with ${marker}`);
  return found;
}

/** A complete V2 card, every field set, with macros where a card would have them. */
export const v2Card = (overrides: Record<string, unknown> = {}) => ({
  spec: "chara_card_v2",
  spec_version: "2.0",
  data: {
    name: "Seraphina",
    description: "{{char}} is a guardian of the enchanted forest who watches over {{user}}.",
    personality: "Gentle, protective, wise",
    scenario: "{{user}} wakes up in {{char}}'s glade after being attacked by shadow beasts.",
    first_mes: "*{{char}} kneels beside {{user}}.* You're safe now, {{user}}. Rest.",
    mes_example:
      "<START>\n{{user}}: Who are you?\n{{char}}: I am {{char}}, keeper of this glade.\n<START>\n<USER>: Is it safe?\n<BOT>: As long as I stand, yes.",
    creator_notes: "Works best with a slow pace.",
    system_prompt: "{{original}} Write vividly as {{char}}.",
    post_history_instructions: "Keep {{char}}'s replies under three paragraphs.",
    alternate_greetings: ["*{{char}} hums softly.* Awake at last, {{user}}?"],
    tags: ["fantasy", "guardian"],
    creator: "tester",
    character_version: "1.2",
    extensions: { talkativeness: "0.5", "chatacter/test": { nested: [1, true, null] } },
    ...overrides,
  },
});

export const v3Card = (overrides: Record<string, unknown> = {}) => ({
  spec: "chara_card_v3",
  spec_version: "3.0",
  data: {
    ...v2Card().data,
    name: "Seraphina of the Glade",
    nickname: "Sera",
    group_only_greetings: [],
    creation_date: 1_700_000_000,
    ...overrides,
  },
});

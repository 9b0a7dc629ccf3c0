import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { api, createKey } from "../support/api";
import { base64Utf8, buildPng, cardPng, getRaw, post, textChunk, v2Card } from "../support/cards";
import { env } from "../support/env";

const IMPORT = "/api/v1/characters/import";
const MAX = 2 * 1024 * 1024;

async function characterIds(): Promise<string[]> {
  return (await api("GET", "/api/v1/characters")).json.characters.map((c: { id: string }) => c.id);
}

/** Every failed import must leave no character and no stored avatar behind. */
let before: string[] = [];
beforeEach(async () => {
  before = await characterIds();
});
afterEach(async () => {
  expect(await characterIds()).toEqual(before);
  expect((await env.MEDIA.list({ prefix: "avatars/" })).objects).toEqual([]);
});

async function expectInvalid(res: { status: number; json: any }, message?: RegExp) {
  expect(res.status).toBe(400);
  expect(res.json.error.code).toBe("INVALID_REQUEST");
  if (message) expect(res.json.error.message).toMatch(message);
}

const png = (bytes: Uint8Array) => post(IMPORT, bytes, "image/png");
const json = (text: string) => post(IMPORT, text, "application/json");

describe("card import refuses bad input with INVALID_REQUEST and imports nothing", () => {
  it.each([
    ["malformed JSON", '{"spec": "chara_card_v2", ', /not valid JSON/],
    ["a JSON array", "[1, 2]", /not a JSON object/],
    [
      "a V1 card (no spec)",
      JSON.stringify({ name: "Old", description: "x", personality: "", scenario: "", first_mes: "", mes_example: "" }),
      /Unsupported card spec null/,
    ],
    ["an unknown spec", JSON.stringify({ ...v2Card(), spec: "chara_card_v9" }), /Unsupported card spec "chara_card_v9"/],
    ["a card without data", JSON.stringify({ spec: "chara_card_v2", spec_version: "2.0" }), /data/],
    ["a card without a name", JSON.stringify(v2Card({ name: undefined })), /data\.name/],
    ["an empty name", JSON.stringify(v2Card({ name: "   " })), /data\.name/],
    ["a number where text goes", JSON.stringify(v2Card({ description: 42 })), /data\.description/],
    ["alternate_greetings that is not a list", JSON.stringify(v2Card({ alternate_greetings: "hi" })), /data\.alternate_greetings/],
    ["tags that are not strings", JSON.stringify(v2Card({ tags: [1, 2] })), /data\.tags/],
    ["extensions that is not an object", JSON.stringify(v2Card({ extensions: [] })), /data\.extensions/],
    ["a description over 32768 characters", JSON.stringify(v2Card({ description: "x".repeat(32_769) })), /data\.description/],
  ])("a JSON body with %s", async (_, body, message) => {
    await expectInvalid(await json(body), message);
  });

  it("lists the schema's issues in details", async () => {
    const res = await json(JSON.stringify(v2Card({ name: 7, tags: "x" })));
    await expectInvalid(res);
    expect(res.json.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(["data.name", "data.tags"]);
  });

  it("a PNG body that is not a PNG", async () => {
    await expectInvalid(await png(new TextEncoder().encode("GIF89a not really")), /not a PNG/);
  });

  it("a PNG with no card in it", async () => {
    await expectInvalid(await png(buildPng([textChunk("Comment", "just a picture")])), /no ccv3 or chara/);
  });

  it("a truncated PNG", async () => {
    const whole = cardPng(v2Card({ name: "Truncated" }));
    await expectInvalid(await png(whole.slice(0, whole.length - 20)), /truncated/);
    await expectInvalid(await png(whole.slice(0, 20)), /truncated/);
  });

  it("a PNG whose card chunk was corrupted (CRC mismatch)", async () => {
    const bytes = cardPng(v2Card({ name: "Corrupted" }));
    const at = bytes.length - 40; // inside the tEXt data
    bytes[at] = bytes[at]! ^ 0x01;
    await expectInvalid(await png(bytes), /bad CRC/);
  });

  it("a PNG that does not start with IHDR", async () => {
    const bytes = buildPng();
    bytes[12] = "J".charCodeAt(0); // IHDR -> JHDR (CRC now fails too: either refusal is right)
    await expectInvalid(await png(bytes), /PNG/);
  });

  it.each([
    ["not base64", "***not base64***", /not base64/],
    ["base64 of invalid UTF-8", btoa("\xff\xfe\xfd"), /not base64 of UTF-8/],
    ["base64 of something that is not JSON", base64Utf8("hello"), /not valid JSON/],
    ["base64 of a card with a bad field", base64Utf8(JSON.stringify(v2Card({ first_mes: ["x"] }))), /data\.first_mes/],
    ["base64 of a card with the wrong spec", base64Utf8(JSON.stringify({ ...v2Card(), spec: "nope" })), /Unsupported card spec/],
  ])("a PNG whose chara chunk is %s", async (_, text, message) => {
    await expectInvalid(await png(buildPng([textChunk("chara", text)])), message);
  });

  it("a file over 2 MiB, refused from its Content-Length before anything is read", async () => {
    const big = buildPng([textChunk("Comment", "x".repeat(MAX)), textChunk("chara", base64Utf8(JSON.stringify(v2Card({ name: "Too Big" }))))]);
    await expectInvalid(await png(big), /limited to 2097152 bytes/);
  });

  it("a file over 2 MiB sent without a Content-Length (streamed)", async () => {
    const big = cardPng(v2Card({ name: "Streamed", description: "y".repeat(30_000) }));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let sent = 0; sent <= MAX; sent += big.length) controller.enqueue(big);
        controller.close();
      },
    });
    await expectInvalid(await post(IMPORT, stream, "image/png"), /limited to/);
  });

  it("a multipart upload over 2 MiB", async () => {
    const form = new FormData();
    form.append("file", new File([buildPng([textChunk("Comment", "z".repeat(MAX))])], "big.png"));
    await expectInvalid(await post(IMPORT, form), /limited to/);
  });

  it("an unsupported Content-Type, or none", async () => {
    await expectInvalid(await post(IMPORT, JSON.stringify(v2Card()), "text/plain"), /Content-Type must be/);
    await expectInvalid(await post(IMPORT, JSON.stringify(v2Card())), /Content-Type must be/);
  });

  it("multipart without a file, or with text in `file`", async () => {
    const empty = new FormData();
    empty.append("other", new File([cardPng(v2Card())], "card.png"));
    await expectInvalid(await post(IMPORT, empty), /no `file` field/);
    const text = new FormData();
    text.append("file", JSON.stringify(v2Card()));
    await expectInvalid(await post(IMPORT, text), /no `file` field/);
  });

  it("multipart whose file is neither PNG nor JSON", async () => {
    const form = new FormData();
    form.append("file", new File([new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00])], "photo.jpg"));
    await expectInvalid(await post(IMPORT, form), /neither a PNG nor UTF-8 JSON/);
  });

  it.each([["?id=Not_A_Slug"], ["?id="], ["?overwrite=yes"]])("bad query %s", async (query) => {
    await expectInvalid(await post(`${IMPORT}${query}`, JSON.stringify(v2Card({ name: "Query" })), "application/json"));
  });
});

describe("card import: conflicts and permissions", () => {
  it("answers CONFLICT for a taken id, keeps the original and stores no avatar", async () => {
    const res = await post(`${IMPORT}?id=assistant`, cardPng(v2Card({ name: "Impostor" })), "image/png");
    expect(res.status).toBe(409);
    expect(res.json.error.code).toBe("CONFLICT");
    expect(res.json.error.details).toEqual({ character_id: "assistant" });
    expect((await api("GET", "/api/v1/characters/assistant")).json.name).toBe("Assistant");
    // The slug of the name clashes the same way.
    expect((await post(IMPORT, JSON.stringify(v2Card({ name: "Creative" })), "application/json")).status).toBe(409);
    expect((await post(IMPORT, JSON.stringify(v2Card({ name: "Clash Test" })), "application/json")).status).toBe(201);
    before = await characterIds();
    expect((await post(IMPORT, JSON.stringify(v2Card({ name: "clash test!" })), "application/json")).status).toBe(409);
  });

  it("refuses chat keys (FORBIDDEN) and missing keys (UNAUTHORIZED)", async () => {
    const { key } = await createKey();
    const forbidden = await post(IMPORT, cardPng(v2Card({ name: "Sneaky" })), "image/png", key);
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error.code).toBe("FORBIDDEN");
    const anonymous = await post(IMPORT, JSON.stringify(v2Card({ name: "Sneaky" })), "application/json", null);
    expect(anonymous.status).toBe(401);
  });

  it("checks the key before reading a large body", async () => {
    const { key } = await createKey();
    const big = buildPng([textChunk("Comment", "x".repeat(MAX))]);
    expect((await post(IMPORT, big, "image/png", key)).status).toBe(403);
  });
});

describe("export and avatars: errors", () => {
  it("answers NOT_FOUND for an unknown character's export", async () => {
    const res = await api("GET", "/api/v1/characters/nobody/export");
    expect(res.status).toBe(404);
    expect(res.json.error.code).toBe("NOT_FOUND");
  });

  it("needs a key to export", async () => {
    expect((await api("GET", "/api/v1/characters/assistant/export", { key: null })).status).toBe(401);
  });

  it.each(["/assets/avatars/nobody.png", "/assets/avatars/assistant.jpg", "/assets/avatars/..%2Fsecret.png", "/assets/avatars/UPPER.png"])(
    "answers a JSON NOT_FOUND for %s",
    async (path) => {
      const res = await getRaw(path);
      expect(res.status).toBe(404);
      expect(((await res.json()) as any).error.code).toBe("NOT_FOUND");
    },
  );
});

import { beforeAll, describe, expect, it } from "vitest";
import { api, createKey } from "../support/api";
import { post } from "../support/cards";
import { characterBook, LOREBOOKS, lorebookIds, sillyTavernWorld, upload } from "../support/lorebooks";

let chatKey: string;
let bookId: string;
beforeAll(async () => {
  chatKey = (await createKey("lore-reader", ["chat"])).key;
  bookId = (await upload(sillyTavernWorld(), "?name=Guarded")).json.id;
});

describe("scopes", () => {
  it("a chat key reads lorebooks", async () => {
    expect((await api("GET", LOREBOOKS, { key: chatKey })).status).toBe(200);
    expect((await api("GET", `${LOREBOOKS}/${bookId}`, { key: chatKey })).status).toBe(200);
    expect((await api("GET", `${LOREBOOKS}/${bookId}/export?format=v3`, { key: chatKey })).status).toBe(200);
  });

  it("a chat key cannot upload, replace or delete, and changes nothing", async () => {
    const before = await lorebookIds();
    const created = await upload(characterBook(), "", chatKey);
    expect(created.status).toBe(403);
    expect(created.json.error.code).toBe("FORBIDDEN");
    expect((await upload(characterBook(), "?name=Taken", chatKey, "PUT", `${LOREBOOKS}/${bookId}`)).status).toBe(403);
    expect((await api("DELETE", `${LOREBOOKS}/${bookId}`, { key: chatKey })).status).toBe(403);
    expect(await lorebookIds()).toEqual(before);
    expect((await api("GET", `${LOREBOOKS}/${bookId}`)).json).toMatchObject({ name: "Guarded", format: "sillytavern", entry_count: 4 });
  });

  it("a chat key is refused before its body is read: a 2 MiB upload is 403, not 400", async () => {
    const big = JSON.stringify({ entries: { "0": { key: ["a"], content: "x".repeat(2 * 1024 * 1024) } } });
    expect((await upload(big, "", chatKey)).status).toBe(403);
    expect((await upload(big, "", chatKey, "PUT", `${LOREBOOKS}/${bookId}`)).status).toBe(403);
  });

  it("a chat key cannot attach lorebooks to a character", async () => {
    const res = await api("PUT", "/api/v1/characters/assistant", { key: chatKey, body: { lorebook_ids: [bookId] } });
    expect(res.status).toBe(403);
    expect((await api("GET", "/api/v1/characters/assistant")).json.lorebook_ids).toEqual([]);
  });

  it("no key, or a revoked one, reads nothing", async () => {
    for (const path of [LOREBOOKS, `${LOREBOOKS}/${bookId}`, `${LOREBOOKS}/${bookId}/export`]) {
      expect((await api("GET", path, { key: null })).status, path).toBe(401);
    }
    expect((await post(LOREBOOKS, JSON.stringify(characterBook()), "application/json", null)).status).toBe(401);
    const revoked = await createKey("short-lived", ["chat"]);
    await api("DELETE", `/api/v1/keys/${revoked.id}`);
    expect((await api("GET", `${LOREBOOKS}/${bookId}`, { key: revoked.key })).status).toBe(401);
  });
});

describe("hostile documents", () => {
  it("entries keyed __proto__ and constructor stay entries, and pollute no prototype", async () => {
    // Raw JSON: an object literal with a __proto__ key would set the prototype instead of making an entry.
    const raw =
      '{"entries": {"__proto__": {"uid": "__proto__", "key": ["proto"], "content": "p", "polluted": true},' +
      ' "constructor": {"uid": "constructor", "key": ["ctor"], "content": "c"}}}';
    const created = await upload(raw);
    expect(created.status).toBe(201);
    expect(created.json.entry_count).toBe(2);
    const book = (await api("GET", `${LOREBOOKS}/${created.json.id}`)).json;
    expect(book.entries.map((e: any) => e.id)).toEqual(["__proto__", "constructor"]);
    const exported = await api("GET", `${LOREBOOKS}/${created.json.id}/export?format=sillytavern`);
    expect(exported.json).toEqual(JSON.parse(raw));
    expect(Object.keys(exported.json.entries)).toEqual(["__proto__", "constructor"]);
    // Through the V3 conversion and back to SillyTavern's shape, too.
    const v3 = (await api("GET", `${LOREBOOKS}/${created.json.id}/export?format=v3`)).json;
    const again = await upload(v3);
    const world = (await api("GET", `${LOREBOOKS}/${again.json.id}/export?format=sillytavern`)).json;
    expect(Object.keys(world.entries)).toEqual(["__proto__", "constructor"]);
    expect(({} as any).polluted).toBeUndefined();
  });

  it("a V3 id that is the same for two entries does not merge them", async () => {
    const book = { entries: [0, 1, 2].map((i) => ({ id: 7, keys: [`k${i}`], content: `c${i}`, extensions: {}, enabled: true, insertion_order: i })) };
    const { id } = (await upload(book)).json;
    expect((await api("GET", `${LOREBOOKS}/${id}`)).json.entries.map((e: any) => e.id)).toEqual(["7", "7~2", "7~3"]);
    const world = (await api("GET", `${LOREBOOKS}/${id}/export?format=sillytavern`)).json;
    expect(Object.keys(world.entries).sort()).toEqual(["7", "7~2", "7~3"]);
  });

  it("a name with quotes and line breaks cannot break out of Content-Disposition", async () => {
    const name = 'evil"; filename="payload.exe\nX-Injected: 1';
    const { id } = (await upload(characterBook(), `?name=${encodeURIComponent(name)}`)).json;
    const res = await api("GET", `${LOREBOOKS}/${id}/export`);
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Injected")).toBeNull();
    const disposition = res.headers.get("Content-Disposition")!;
    expect(disposition).toMatch(/^attachment; filename="[A-Za-z0-9 ._-]+\.json"; filename\*=UTF-8''[A-Za-z0-9%._~!-]+$/);
    expect(decodeURIComponent(disposition.split("''")[1]!)).toBe(`${name}.json`);
  });

  it("a regex key is compiled, never run, at upload: a pattern that backtracks badly is stored", async () => {
    const started = Date.now();
    const created = await upload({ entries: { "0": { key: ["/(a+)+$/"], content: "x" } } });
    expect(created.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

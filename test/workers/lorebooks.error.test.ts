import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { api } from "../support/api";
import { post } from "../support/cards";
import { characterBook, LOREBOOKS, lorebookIds, sillyTavernWorld, upload, v3Lorebook } from "../support/lorebooks";

const MAX = 2 * 1024 * 1024;

/** Every refused upload must leave the lorebooks as they were. */
let before: string[] = [];
beforeEach(async () => {
  before = await lorebookIds();
});
afterEach(async () => {
  expect(await lorebookIds()).toEqual(before);
});

function expectInvalid(res: { status: number; json: any; text: string }, message?: RegExp) {
  expect(res.status, res.text).toBe(400);
  expect(res.json.error.code).toBe("INVALID_REQUEST");
  if (message) expect(res.json.error.message).toMatch(message);
}

const worldWith = (entry: Record<string, unknown>) => ({
  entries: { "0": { uid: 0, key: ["a"], content: "x" }, "5": { uid: 5, comment: "Broken", ...entry } },
});
const v3With = (entry: Record<string, unknown>) => {
  const document = v3Lorebook();
  document.data.entries.push({
    keys: ["b"],
    content: "y",
    extensions: {},
    enabled: true,
    insertion_order: 0,
    use_regex: false,
    constant: false,
    name: "Bad one",
    ...entry,
  } as any);
  return document;
};

describe("uploads that are not lorebooks are refused with INVALID_REQUEST and store nothing", () => {
  it.each([
    ["malformed JSON", '{"entries": {', /not valid JSON/],
    ["a JSON array", "[1, 2]", /not a JSON object/],
    ["a JSON string", '"entries"', /not a JSON object/],
    ["an unknown spec", JSON.stringify({ spec: "lorebook_v9", data: { entries: [] } }), /Unsupported lorebook spec "lorebook_v9"/],
    ["a null spec", JSON.stringify({ spec: null, entries: [] }), /Unsupported lorebook spec null/],
    ["a character card", JSON.stringify({ spec: "chara_card_v3", data: { name: "x" } }), /chara_card_v3.*characters\/import/],
    ["none of the three shapes", JSON.stringify({ name: "no entries" }), /Not a lorebook: expected a V3 lorebook/],
    ["entries that are a string", JSON.stringify({ entries: "Elara" }), /Not a lorebook/],
    ["a V3 lorebook whose data is not an object", JSON.stringify({ spec: "lorebook_v3", data: [] }), /data must be an object/],
    ["a V3 lorebook whose entries are not a list", JSON.stringify({ spec: "lorebook_v3", data: { entries: {} } }), /data: entries must be a list/],
  ])("%s", async (_, body, message) => {
    expectInvalid(await upload(body), message);
  });

  it("an entry that is not an object, naming it", async () => {
    expectInvalid(await upload({ entries: [{ keys: ["a"], content: "x" }, "oops"] }), /entry 1: must be an object/);
    expectInvalid(await upload({ entries: { "3": [] } }), /entry "3": must be an object/);
  });

  it("fields of the wrong type, naming the entry and the field", async () => {
    expectInvalid(await upload(worldWith({ key: 5 })), /entry "5" \("Broken"\): key must be a list of strings/);
    expectInvalid(await upload(worldWith({ key: ["a", 2] })), /entry "5" \("Broken"\): key must be a list of strings/);
    expectInvalid(await upload(worldWith({ order: "100" })), /entry "5" \("Broken"\): order must be a number/);
    expectInvalid(await upload(worldWith({ disable: "no" })), /entry "5" \("Broken"\): disable must be true or false/);
    expectInvalid(await upload(v3With({ content: 7 })), /entry 3 \("Bad one"\): content must be a string/);
    expectInvalid(await upload(v3With({ extensions: [] })), /entry 3 \("Bad one"\): extensions must be an object/);
    expectInvalid(await upload({ ...characterBook(), scan_depth: "deep" }), /the lorebook: scan_depth must be a number/);
  });
});

describe("regex keys that do not compile are refused, naming the entry and the key", () => {
  it("a V3 key with use_regex", async () => {
    const res = await upload(v3With({ keys: ["fine", "moon(steel"], use_regex: true }));
    expectInvalid(res, /entry 3 \("Bad one"\): key "moon\(steel" is not a valid regular expression/);
  });

  it("a V3 key written /pattern/flags, with or without use_regex", async () => {
    expectInvalid(await upload(v3With({ keys: ["/[unclosed/i"] })), /entry 3 \("Bad one"\): key "\/\[unclosed\/i" is not a valid regular expression/);
    expectInvalid(await upload(v3With({ keys: ["/a/gg"], use_regex: true })), /key "\/a\/gg" is not a valid regular expression/);
  });

  it("a SillyTavern key written /pattern/flags, primary or secondary", async () => {
    expectInvalid(await upload(worldWith({ key: ["ok", "/(dragon/i"] })), /entry "5" \("Broken"\): key "\/\(dragon\/i" is not a valid regular expression/);
    expectInvalid(await upload(worldWith({ key: ["ok"], keysecondary: ["/*wings/"] })), /entry "5" \("Broken"\): secondary key "\/\*wings\/" is not a valid/);
  });

  it("but takes keys SillyTavern reads as text: plain ones, and slashes that are not its notation", async () => {
    const res = await upload(worldWith({ key: ["C++", "/usr/bin", "a/b/c/", "(", "/x/z"] }));
    expect(res.status).toBe(201);
    before.push(res.json.id);
    const entry = (await api("GET", `${LOREBOOKS}/${res.json.id}`)).json.entries[1];
    expect(entry).toMatchObject({ keys: ["C++", "/usr/bin", "a/b/c/", "(", "/x/z"], use_regex: false });
  });
});

describe("size limits", () => {
  it("more than 5,000 entries", async () => {
    const entries = Object.fromEntries(Array.from({ length: 5001 }, (_, i) => [String(i), { uid: i, key: [`k${i}`], content: "c" }]));
    expectInvalid(await upload({ entries }), /5001 entries; at most 5000/);
    const list = Array.from({ length: 5001 }, (_, i) => ({ keys: [`k${i}`], content: "c", extensions: {}, enabled: true, insertion_order: i }));
    expectInvalid(await upload({ spec: "lorebook_v3", data: { entries: list } }), /5001 entries/);
  });

  it("a body over 2 MiB, refused from its Content-Length", async () => {
    const body = JSON.stringify({ entries: { "0": { uid: 0, key: ["a"], content: "x".repeat(MAX) } } });
    expectInvalid(await upload(body), /limited to 2097152 bytes/);
  });

  it("a body over 2 MiB sent without a Content-Length (streamed)", async () => {
    const chunk = new TextEncoder().encode(`{"entries": {"0": {"content": "${"y".repeat(64 * 1024)}`);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let sent = 0; sent <= MAX; sent += chunk.length) controller.enqueue(chunk);
        controller.close();
      },
    });
    expectInvalid(await post(LOREBOOKS, stream, "application/json"), /limited to/);
  });
});

describe("requests around the document", () => {
  it("a Content-Type that is not JSON, or none", async () => {
    expectInvalid(await post(LOREBOOKS, JSON.stringify(sillyTavernWorld()), "text/plain"), /Content-Type must be application\/json/);
    expectInvalid(await post(LOREBOOKS, JSON.stringify(sillyTavernWorld())), /Content-Type must be application\/json/);
  });

  it.each([["?name="], ["?name=%20%20"], [`?name=${"n".repeat(201)}`]])("a bad name %s", async (query) => {
    expectInvalid(await upload(characterBook(), query));
  });

  it("an unknown export format", async () => {
    const { id } = (await upload(characterBook())).json;
    before.push(id);
    expectInvalid(await api("GET", `${LOREBOOKS}/${id}/export?format=xml`));
  });

  it("a replacement that is refused leaves the lorebook as it was", async () => {
    const world = sillyTavernWorld();
    const { id } = (await upload(world, "?name=Stays")).json;
    before.push(id);
    expectInvalid(await upload(worldWith({ key: ["/(/"] }), "?name=Changed", undefined, "PUT", `${LOREBOOKS}/${id}`), /entry "5"/);
    expectInvalid(await upload("{", "", undefined, "PUT", `${LOREBOOKS}/${id}`), /not valid JSON/);
    expect((await api("GET", `${LOREBOOKS}/${id}`)).json).toMatchObject({ name: "Stays", entry_count: 4 });
    expect((await api("GET", `${LOREBOOKS}/${id}/export?format=sillytavern`)).json).toEqual(world);
  });
});

describe("ids that name no lorebook are 404, whatever their shape", () => {
  it.each([["lb_doesnotexist0000000"], ["no-such-book"], ["%E2%9C%93"], ["lb_"]])("%s", async (id) => {
    for (const [method, path] of [
      ["GET", `${LOREBOOKS}/${id}`],
      ["GET", `${LOREBOOKS}/${id}/export?format=sillytavern`],
      ["DELETE", `${LOREBOOKS}/${id}`],
    ] as const) {
      const res = await api(method, path);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.json.error.code).toBe("NOT_FOUND");
    }
    const put = await upload(characterBook(), "", undefined, "PUT", `${LOREBOOKS}/${id}`);
    expect(put.status).toBe(404);
  });

  it("deleting twice is 404 the second time", async () => {
    const { id } = (await upload(characterBook())).json;
    expect((await api("DELETE", `${LOREBOOKS}/${id}`)).status).toBe(200);
    expect((await api("DELETE", `${LOREBOOKS}/${id}`)).status).toBe(404);
  });
});

describe("attaching lorebooks that do not exist", () => {
  it("creating a character is 404 naming them, and creates nothing", async () => {
    const { id } = (await upload(characterBook())).json;
    before.push(id);
    const res = await api("POST", "/api/v1/characters", { body: { id: "unbooked", name: "Unbooked", lorebook_ids: [id, "lb_missing", "other"] } });
    expect(res.status).toBe(404);
    expect(res.json.error).toMatchObject({ code: "NOT_FOUND", message: "No lorebooks lb_missing, other", details: { lorebook_ids: ["lb_missing", "other"] } });
    expect((await api("GET", "/api/v1/characters/unbooked")).status).toBe(404);
  });

  it("updating a character is 404 naming it, and changes nothing", async () => {
    const { id } = (await upload(characterBook())).json;
    before.push(id);
    await api("PUT", "/api/v1/characters/creative", { body: { lorebook_ids: [id] } });
    const res = await api("PUT", "/api/v1/characters/creative", { body: { name: "Renamed", lorebook_ids: ["lb_gone"] } });
    expect(res.status).toBe(404);
    expect(res.json.error.message).toBe("No lorebook lb_gone");
    expect((await api("GET", "/api/v1/characters/creative")).json).toMatchObject({ name: "Creative Writer", lorebook_ids: [id] });
  });

  it("repeated ids, or too many, are INVALID_REQUEST", async () => {
    const { id } = (await upload(characterBook())).json;
    before.push(id);
    expectInvalid(await api("PUT", "/api/v1/characters/creative", { body: { lorebook_ids: [id, id] } }), /must not repeat/);
    expectInvalid(await api("PUT", "/api/v1/characters/creative", { body: { lorebook_ids: Array.from({ length: 51 }, (_, i) => `lb_${i}`) } }));
    expectInvalid(await api("PUT", "/api/v1/characters/creative", { body: { lorebook_ids: "lb_x" } }));
  });
});

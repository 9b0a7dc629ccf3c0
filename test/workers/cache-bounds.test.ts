import { describe, expect, it } from "vitest";
import { KEY_CACHE_MAX_AGE_MS } from "../../workers/auth/authenticate";
import { RefreshingCache } from "../../workers/cache/refreshing-cache";
import { CHARACTER_CACHE_MAX_AGE_MS } from "../../workers/db/character-cache";
import { api, createKey, send } from "../support/api";
import { llmRequestWith } from "../support/cards";
import { env } from "../support/env";

/** A cache on a clock the test moves, and a store whose value the test changes. */
function fixture() {
  let now = 0;
  let stored = "v1";
  let loads = 0;
  let gate: Promise<void> = Promise.resolve();
  const background: Promise<unknown>[] = [];
  const cache = new RefreshingCache<string, string | undefined>({ maxAgeMs: 1000, refreshAfterMs: 500, maxEntries: 2, now: () => now });
  const load = async () => {
    loads++;
    const value = stored;
    await gate;
    return value;
  };
  const get = (key = "k") => cache.get(key, load, { ctx: { waitUntil: (p) => background.push(p) }, keep: (v) => v !== undefined });
  return {
    cache,
    get,
    at: (ms: number) => (now = ms),
    store: (value: string | undefined) => (stored = value as string),
    loads: () => loads,
    /** Holds every load until the returned function is called. */
    hold: () => {
      let release = () => {};
      gate = new Promise((resolve) => (release = resolve));
      return release;
    },
    settle: () => Promise.all(background.splice(0)),
  };
}

describe("the per-isolate cache", () => {
  it("never serves an entry older than its bound", async () => {
    const f = fixture();
    expect(await f.get()).toBe("v1");
    f.store("v2");
    f.at(499);
    expect(await f.get()).toBe("v1");
    f.at(1000);
    expect(await f.get()).toBe("v2");
  });

  it("reloads a warm entry in the background: readers never wait on the store for it", async () => {
    const f = fixture();
    await f.get();
    f.store("v2");
    f.at(600);
    const release = f.hold();
    // Past refreshAfterMs: the cached value at once, though the store has not answered; one reload.
    expect(await f.get()).toBe("v1");
    expect(await f.get()).toBe("v1");
    release();
    await f.settle();
    expect(f.loads()).toBe(2);
    expect(await f.get()).toBe("v2");
  });

  it("does not keep what a load read before a delete", async () => {
    const f = fixture();
    const racing = f.get();
    f.cache.delete("k");
    f.store("v2");
    expect(await racing).toBe("v1");
    expect(await f.get()).toBe("v2");
  });

  it("does not cache what `keep` refuses (misses), and holds at most maxEntries", async () => {
    const f = fixture();
    f.store(undefined);
    await f.get();
    await f.get();
    expect(f.loads()).toBe(2);
    f.store("v");
    await f.get("a");
    await f.get("b");
    await f.get("c");
    expect(f.cache.peek("a")).toBeUndefined();
    expect(f.cache.peek("c")).toBe("v");
  });
});

describe("the documented bounds, through the API", () => {
  it("refuses a key and shows a character changed by another isolate once the bounds have passed", { timeout: 30_000 }, async () => {
    expect(KEY_CACHE_MAX_AGE_MS).toBe(10_000);
    expect(CHARACTER_CACHE_MAX_AGE_MS).toBe(10_000);
    const key = await createKey();
    const id = `bounded-${crypto.randomUUID().slice(0, 8)}`;
    expect((await api("POST", "/api/v1/characters", { body: { id, name: "Before" } })).status).toBe(201);
    expect((await api("GET", "/api/v1/characters", { key: key.key })).status).toBe(200);
    expect((await api("GET", `/api/v1/characters/${id}`)).json.name).toBe("Before");

    // Another isolate revokes the key and renames the character: D1 changes, this isolate is not told.
    await env.DB.batch([
      env.DB.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ?").bind(new Date().toISOString(), key.id),
      env.DB.prepare("UPDATE characters SET name = ? WHERE id = ?").bind("Elsewhere", id),
    ]);
    await new Promise((resolve) => setTimeout(resolve, Math.max(KEY_CACHE_MAX_AGE_MS, CHARACTER_CACHE_MAX_AGE_MS)));
    expect((await api("GET", "/api/v1/characters", { key: key.key })).status).toBe(401);
    expect((await api("GET", `/api/v1/characters/${id}`)).json.name).toBe("Elsewhere");
    expect((await api("GET", "/api/v1/characters")).json.characters.find((c: { id: string }) => c.id === id).name).toBe("Elsewhere");
  });

  it("refuses a key revoked here at once", async () => {
    const here = await createKey();
    expect((await api("GET", "/api/v1/characters", { key: here.key })).status).toBe(200);
    expect((await api("DELETE", `/api/v1/keys/${here.id}`)).status).toBe(200);
    expect((await api("GET", "/api/v1/characters", { key: here.key })).status).toBe(401);
  });

  it("shows a character edited here at once, in the list, the details and the next turn's prompt", async () => {
    const id = `edited-${crypto.randomUUID().slice(0, 8)}`;
    expect((await api("POST", "/api/v1/characters", { body: { id, name: "Before" } })).status).toBe(201);
    expect((await send({ message: "warm up", character_id: id, session_id: `${id}-chat` })).status).toBe(200);
    expect((await api("GET", "/api/v1/characters")).json.characters.find((c: { id: string }) => c.id === id).name).toBe("Before");
    expect((await api("PUT", `/api/v1/characters/${id}`, { body: { name: "Here" } })).status).toBe(200);
    expect((await api("GET", `/api/v1/characters/${id}`)).json.name).toBe("Here");
    expect((await api("GET", "/api/v1/characters")).json.characters.find((c: { id: string }) => c.id === id).name).toBe("Here");
    const marker = `who-are-you-${id}`;
    expect((await send({ message: marker, character_id: id, session_id: `${id}-chat` })).status).toBe(200);
    expect((await llmRequestWith(marker)).messages[0]!.content).toContain("Here");
  });
});

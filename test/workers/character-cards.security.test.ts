/**
 * Card imports racing for one new id: the import that loses the CONFLICT must leave no avatar behind,
 * and must not remove the winner's.
 */
import { describe, expect, it } from "vitest";
import { avatarKey } from "../../workers/routes/assets/avatars";
import { callWith } from "../support/app";
import { base64Utf8, buildPng, textChunk, v2Card } from "../support/cards";
import { env } from "../support/env";

const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes);

/** A PNG card whose image carries `mark` in a chunk that is not a card chunk, so it stays in the avatar. */
const markedCard = (name: string, mark: string) => buildPng([textChunk("chara", base64Utf8(JSON.stringify(v2Card({ name })))), textChunk("Comment", mark)]);

const settle = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

/**
 * The MEDIA bucket, with each import's avatar write held until the other import has either reached
 * its own write or finished: the order in which two concurrent imports can interleave, made certain
 * rather than left to timing. "first" writes as soon as "second" gets that far; "second" writes only
 * once "first" has answered.
 */
function orderedBucket(marks: { first: string; second: string }) {
  const reached = { first: settle(), second: settle() };
  const done = { first: settle(), second: settle() };
  const which = (value: unknown) => {
    const text = value instanceof Uint8Array ? latin1(value) : value instanceof ArrayBuffer ? latin1(new Uint8Array(value)) : "";
    return text.includes(marks.first) ? "first" : text.includes(marks.second) ? "second" : undefined;
  };
  const bucket = new Proxy(env.MEDIA, {
    get(target, prop) {
      if (prop !== "put") {
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return async (key: string, value: unknown, options?: R2PutOptions) => {
        const who = which(value);
        if (who === "first") {
          reached.first.resolve();
          await Promise.race([reached.second.promise, done.second.promise]);
        } else if (who === "second") {
          reached.second.resolve();
          await done.first.promise;
        }
        return target.put(key, value as R2PutOptions & ArrayBuffer, options);
      };
    },
  });
  return { bucket: bucket as R2Bucket, done };
}

describe("two concurrent imports of one new card", () => {
  it("leave only the winner's avatar in R2", async () => {
    const name = `Racer ${crypto.randomUUID().slice(0, 8)}`;
    const marks = { first: `first-${crypto.randomUUID()}`, second: `second-${crypto.randomUUID()}` };
    const { bucket, done } = orderedBucket(marks);
    const importCard = (mark: string) =>
      callWith({ MEDIA: bucket }, "POST", "/api/v1/characters/import", {
        rawBody: markedCard(name, mark) as unknown as string,
        headers: { "Content-Type": "image/png" },
      });

    const [first, second] = await Promise.all([importCard(marks.first).finally(done.first.resolve), importCard(marks.second).finally(done.second.resolve)]);
    expect([first.status, second.status].sort()).toEqual([201, 409]);
    const [winner, loser] = first.status === 201 ? (["first", "second"] as const) : (["second", "first"] as const);
    const id = (first.status === 201 ? first : second).json.id as string;

    const stored = await env.MEDIA.get(avatarKey(id));
    expect(stored).not.toBeNull();
    const avatar = latin1(new Uint8Array(await stored!.arrayBuffer()));
    expect(avatar.includes(marks[winner]), "the winner's avatar").toBe(true);
    expect(avatar.includes(marks[loser]), "the loser's avatar").toBe(false);
  });
});

describe("an import whose avatar cannot be stored", () => {
  it("leaves no character behind, so the id can be imported again", async () => {
    const name = `Broken Store ${crypto.randomUUID().slice(0, 8)}`;
    const failing = new Proxy(env.MEDIA, {
      get: (target, prop) =>
        prop === "put" ? async () => Promise.reject(new Error("R2 is down")) : (Reflect.get(target, prop) as (...args: unknown[]) => unknown).bind(target),
    });
    const body = { rawBody: markedCard(name, "x") as unknown as string, headers: { "Content-Type": "image/png" } };
    const res = await callWith({ MEDIA: failing as R2Bucket }, "POST", "/api/v1/characters/import", body);
    expect(res.status).toBe(500);
    const again = await callWith({}, "POST", "/api/v1/characters/import", body);
    expect(again.status).toBe(201);
  });
});

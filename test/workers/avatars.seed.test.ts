/**
 * The seed characters' avatars ship with the Worker (workers/seed-avatars/): every deployment serves
 * them at their avatar_url, from R2 once first asked for, and a card import's image replaces them.
 */
import { describe, expect, it } from "vitest";
import { isPng, readChunks } from "../../workers/cards/png";
import { api } from "../support/api";
import { cardPng, getRaw, post, v2Card } from "../support/cards";
import { env } from "../support/env";

/** A PNG's width and height, from its IHDR chunk. */
const pngSize = (bytes: Uint8Array) => {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  return { width: view.getUint32(16), height: view.getUint32(20) };
};

describe("GET /assets/avatars/{seed}.png", () => {
  it.each(["assistant", "creative"])("%s's avatar_url answers its square PNG, small, with an ETag", async (id) => {
    const character = await api("GET", `/api/v1/characters/${id}`);
    expect(character.json.avatar_url).toBe(`/assets/avatars/${id}.png`);

    const avatar = await getRaw(character.json.avatar_url);
    expect(avatar.status).toBe(200);
    expect(avatar.headers.get("Content-Type")).toBe("image/png");
    expect(avatar.headers.get("X-Content-Type-Options")).toBe("nosniff");
    const bytes = new Uint8Array(await avatar.arrayBuffer());
    expect(isPng(bytes)).toBe(true);
    expect(readChunks(bytes)[0]!.type).toBe("IHDR");
    expect(pngSize(bytes)).toEqual({ width: 512, height: 512 });
    expect(bytes.length).toBeLessThan(100 * 1024);
    // Put in R2 by the first request: served as any other stored avatar from then on.
    expect((await env.MEDIA.head(`avatars/${id}.png`))?.size).toBe(bytes.length);

    const again = await getRaw(character.json.avatar_url, { "If-None-Match": avatar.headers.get("ETag")! });
    expect(again.status).toBe(304);
    await again.arrayBuffer();
  });

  it("a card imported over a seed character replaces its avatar", async () => {
    const png = cardPng(v2Card({ name: "Creative" }));
    const res = await post("/api/v1/characters/import?overwrite=true", png, "image/png");
    expect([200, 201], JSON.stringify(res.json)).toContain(res.status);
    const avatar = await getRaw("/assets/avatars/creative.png");
    const bytes = new Uint8Array(await avatar.arrayBuffer());
    expect(pngSize(bytes)).toEqual(pngSize(cardPng(v2Card())));
  });

  it("names that are not seed characters stay 404, inherited object keys included", async () => {
    for (const name of ["nobody", "constructor", "__proto__"]) {
      const res = await getRaw(`/assets/avatars/${name}.png`);
      expect(res.status, name).toBe(404);
      await res.arrayBuffer();
    }
  });
});

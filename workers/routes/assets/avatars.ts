import { Hono } from "hono";
import { ApiError } from "../../api-error";
import type { AppEnv } from "../../env";
import { SEED_AVATARS } from "../../seed-avatars";
import { smallObjectResponse } from "./preconditions";

/** Where a character's avatar lives in R2 (binding MEDIA), and the public path that serves it. */
export const avatarKey = (characterId: string) => `avatars/${characterId}.png`;
export const avatarPath = (characterId: string) => `/assets/avatars/${characterId}.png`;

const FILE = /^([a-z0-9][a-z0-9_-]{0,63})\.png$/;

/**
 * The avatar in R2; a seed character's shipped avatar is put there on its first request (where no card
 * import has stored another), so every deployment serves it with no upload step, through the same
 * R2 answers (ETag, conditions) as any other.
 */
async function storedAvatar(bucket: R2Bucket, id: string, conditions: Headers) {
  const object = await bucket.get(avatarKey(id), { onlyIf: conditions });
  const seed = SEED_AVATARS.get(id);
  if (object || !seed) return object;
  await bucket.put(avatarKey(id), seed, { httpMetadata: { contentType: "image/png" } });
  return bucket.get(avatarKey(id), { onlyIf: conditions });
}

/**
 * GET /assets/avatars/{id}.png: avatars stored by card imports, and the seed characters'. Public, like
 * the rest of /assets (an <img> tag sends no API key). ETag and If-None-Match come from R2; HEAD is
 * answered by Hono.
 */
export const avatarRoutes = new Hono<AppEnv>().get("/:file", async (c) => {
  const match = FILE.exec(c.req.param("file"));
  if (!match) throw new ApiError("NOT_FOUND", "No such avatar");
  const object = await storedAvatar(c.env.MEDIA, match[1]!, c.req.raw.headers);
  if (!object) throw new ApiError("NOT_FOUND", "No such avatar");
  // Short-lived: a re-import replaces the image under the same path.
  return smallObjectResponse(c.req.raw.headers, object, "image/png");
});

/** Where a job's files live in R2 and under /assets: names carry ~140 random bits, so a URL is its own capability. */
import { randomId } from "../../shared/crypto";
import type { MediaRequestRow } from "../db/schema";

export const newAssetName = (prefix: "voice" | "reply" | "video") => randomId(`${prefix}_`, 24);

export const audioKey = (name: string) => `audio/${name}.wav`;
const videoKey = (name: string) => `video/${name}.mp4`;
export const thumbnailKey = (name: string) => `video/${name}_thumb.jpg`;

/** The public path of a key: /assets/<key>. Relative, as in the reference. */
export const assetPath = (key: string) => `/assets/${key}`;

export const resultKey = (row: Pick<MediaRequestRow, "mediaType" | "assetName">) =>
  row.mediaType === "voice" ? audioKey(row.assetName) : videoKey(row.assetName);

export const CONTENT_TYPES: Record<string, string> = {
  wav: "audio/wav",
  mp4: "video/mp4",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
};

// Names never change content (a new file gets a new name), so caches may keep them for a year.
export const IMMUTABLE = "public, max-age=31536000, immutable";

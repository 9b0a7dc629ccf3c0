/**
 * The seed characters' avatars (migrations/0001_seed_characters.sql names /assets/avatars/<id>.png),
 * bundled into the Worker as Data modules (wrangler.toml's [[rules]]), so a fresh deployment has them
 * with no upload step. Drawn by tools/make-avatars.ts.
 */
import assistant from "./assistant.png";
import creative from "./creative.png";

export const SEED_AVATARS: ReadonlyMap<string, ArrayBuffer> = new Map([
  ["assistant", assistant],
  ["creative", creative],
]);

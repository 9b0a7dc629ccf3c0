import { Hono } from "hono";
import { ApiError } from "../../api-error";
import type { AppEnv } from "../../env";
import { CONTENT_TYPES, IMMUTABLE } from "../../media/assets";
import { conditionalStatus, NOSNIFF } from "./preconditions";

const FOLDERS = new Set(["audio", "video"]);
const FILE = /^[A-Za-z0-9_-]{1,100}\.(wav|mp4|jpg|jpeg|png|webp)$/;

/**
 * GET/HEAD /assets/{audio|video}/{file}: generated files from R2, public (media elements send
 * no Authorization header; the names are unguessable). Byte ranges for seeking (206, one range),
 * ETag with If-None-Match (304) and If-Match (412), nosniff, and a year's caching since a name never
 * changes content.
 */
export const getAsset = new Hono<AppEnv>().get("/:folder/:file", async (c) => {
  const { folder, file } = c.req.param();
  const notFound = () => new ApiError("NOT_FOUND", `No asset /assets/${folder}/${file}`);
  if (!FOLDERS.has(folder) || !FILE.test(file)) throw notFound();
  const key = `${folder}/${file}`;
  const request = c.req.raw.headers;
  let object: R2Object | R2ObjectBody | null;
  try {
    // R2 reads Range, If-None-Match, If-Match and the date conditions straight from the headers.
    object = await c.env.MEDIA.get(key, { range: request, onlyIf: request });
  } catch {
    // R2 rejects a range outside the object: RFC 9110 answers 416 with the size.
    const head = await c.env.MEDIA.head(key);
    if (!head) throw notFound();
    return new Response(null, { status: 416, headers: { "Content-Range": `bytes */${head.size}`, ...NOSNIFF } });
  }
  if (!object) throw notFound();

  const headers = new Headers();
  object.writeHttpMetadata(headers);
  headers.set("Content-Type", object.httpMetadata?.contentType ?? CONTENT_TYPES[file.split(".").pop()!]!);
  headers.set("ETag", object.httpEtag);
  headers.set("Cache-Control", IMMUTABLE);
  headers.set("Accept-Ranges", "bytes");
  headers.set("Access-Control-Allow-Origin", "*");
  headers.set("X-Content-Type-Options", NOSNIFF["X-Content-Type-Options"]);
  // R2 answers a failed condition with the object's metadata and no body.
  if (!("body" in object)) return new Response(null, { status: conditionalStatus(request, object), headers });

  const range = request.has("Range") ? (object.range as { offset?: number; length?: number; suffix?: number } | undefined) : undefined;
  if (range) {
    // R2 answers the range it served: {offset, length?} or {suffix} (the last N bytes).
    const offset = range.suffix !== undefined ? object.size - range.suffix : (range.offset ?? 0);
    const length = range.suffix !== undefined ? range.suffix : (range.length ?? object.size - offset);
    // Checked against the header too: local R2 (miniflare) clamps a range past the end instead of refusing it.
    const asked = Number(request.get("Range")!.match(/^bytes=(\d+)-/)?.[1] ?? 0);
    if (offset < 0 || offset >= object.size || asked >= object.size || length <= 0) {
      await object.body.cancel();
      return new Response(null, { status: 416, headers: { "Content-Range": `bytes */${object.size}`, ...NOSNIFF } });
    }
    headers.set("Content-Range", `bytes ${offset}-${offset + length - 1}/${object.size}`);
    headers.set("Content-Length", String(length));
    return new Response(object.body, { status: 206, headers });
  }
  headers.set("Content-Length", String(object.size));
  return new Response(object.body, { status: 200, headers });
});

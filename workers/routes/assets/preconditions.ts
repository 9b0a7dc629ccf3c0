/**
 * What an asset answers when R2 withheld the body because a condition failed. RFC 9110 13.2.2: a
 * failed If-Match (or, without one, If-Unmodified-Since) is 412 Precondition Failed; only a matching
 * If-None-Match (or If-Modified-Since) on GET/HEAD is 304 Not Modified.
 */
export function conditionalStatus(request: Headers, object: R2Object): 304 | 412 {
  const ifMatch = request.get("If-Match");
  if (ifMatch !== null) {
    if (!etagListMatches(ifMatch, object.httpEtag)) return 412;
  } else {
    const since = Date.parse(request.get("If-Unmodified-Since") ?? "");
    // HTTP dates have whole seconds.
    if (!Number.isNaN(since) && Math.floor(object.uploaded.getTime() / 1000) * 1000 > since) return 412;
  }
  return 304;
}

// If-Match uses the strong comparison: a weak tag (W/"...") never matches.
function etagListMatches(list: string, etag: string): boolean {
  if (list.trim() === "*") return true;
  return list.split(",").some((tag) => tag.trim() === etag);
}

/** Headers every /assets answer carries: no browser may guess a file's type from its bytes. */
export const NOSNIFF = { "X-Content-Type-Options": "nosniff" } as const;

/** A small public file from R2 (an avatar, a voice sample): its body, or 304/412 when a condition failed. */
export function smallObjectResponse(request: Headers, object: R2Object | R2ObjectBody, contentType: string): Response {
  const headers = new Headers({ "Content-Type": contentType, ETag: object.httpEtag, "Cache-Control": "public, max-age=300", ...NOSNIFF });
  // R2 answers a failed condition with the object's metadata and no body.
  if (!("body" in object)) return new Response(null, { status: conditionalStatus(request, object), headers });
  headers.set("Content-Length", String(object.size));
  return new Response(object.body, { status: 200, headers });
}

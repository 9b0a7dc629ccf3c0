/** /assets: no content sniffing, and conditional requests answered as RFC 9110 says. */
import { describe, expect, it } from "vitest";
import { env } from "../support/env";
import { asset } from "../support/media";

const put = (key: string, contentType: string) => env.MEDIA.put(key, new TextEncoder().encode("RIFF....WAVE not really"), { httpMetadata: { contentType } });

describe("/assets headers", () => {
  it("every answer carries X-Content-Type-Options: nosniff", async () => {
    await put("audio/voice_nosniffcheck000000000001.wav", "audio/wav");
    const full = await asset("/assets/audio/voice_nosniffcheck000000000001.wav");
    expect(full.status).toBe(200);
    expect(full.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect((await asset("/assets/audio/voice_nosniffcheck000000000001.wav", { Range: "bytes=0-3" })).headers.get("X-Content-Type-Options")).toBe("nosniff");
    await env.MEDIA.put("avatars/nosniff-avatar.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47]), { httpMetadata: { contentType: "image/png" } });
    const avatar = await asset("/assets/avatars/nosniff-avatar.png");
    expect(avatar.status).toBe(200);
    expect(avatar.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });
});

describe("/assets preconditions", () => {
  it("a failed If-Match is 412 Precondition Failed, a matching one serves the file", async () => {
    await put("audio/voice_ifmatchcheck0000000000001.wav", "audio/wav");
    const url = "/assets/audio/voice_ifmatchcheck0000000000001.wav";
    const etag = (await asset(url)).headers.get("ETag")!;
    const failed = await asset(url, { "If-Match": '"not-the-etag"' });
    expect(failed.status).toBe(412);
    expect(failed.bytes.length).toBe(0);
    expect((await asset(url, { "If-Match": etag })).status).toBe(200);
    expect((await asset(url, { "If-Match": "*" })).status).toBe(200);
  });

  it("If-None-Match still answers 304, and If-Match wins over it (RFC 9110 13.2.2)", async () => {
    await put("audio/voice_ifnonematch000000000001.wav", "audio/wav");
    const url = "/assets/audio/voice_ifnonematch000000000001.wav";
    const etag = (await asset(url)).headers.get("ETag")!;
    expect((await asset(url, { "If-None-Match": etag })).status).toBe(304);
    expect((await asset(url, { "If-Match": '"other"', "If-None-Match": etag })).status).toBe(412);
  });

  it("a failed If-Match on an avatar is 412 too", async () => {
    await env.MEDIA.put("avatars/ifmatch-avatar.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47]), { httpMetadata: { contentType: "image/png" } });
    expect((await asset("/assets/avatars/ifmatch-avatar.png", { "If-Match": '"nope"' })).status).toBe(412);
  });
});

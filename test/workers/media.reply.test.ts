import { describe, expect, it, vi } from "vitest";
import { probeMp4, probeWav } from "../../gpu-jobs/media-files";
import { api, createKey, fullHistory, send } from "../support/api";
import { asset, drainWebhooks, pumpWebhooks, status, terminal, waitForStatus } from "../support/media";

// Jobs run through the GPU emulator; on a loaded 2-core machine a few seconds is not a hang.
vi.setConfig({ testTimeout: 30_000 });

describe("a chat reply of assistant with speech and a talking head", () => {
  it("returns pending URLs that resolve to playable speech and video, end to end through the emulator", async () => {
    await drainWebhooks();
    const res = await send({ message: "Tell me about mountains.", character_id: "assistant", session_id: "media-e2e" });
    const repliedAt = Date.now();
    expect(res.status, res.text).toBe(200);
    const { media } = res.json;
    expect(media).toMatchObject({ status: "pending" });
    expect(media.audio_url).toMatch(/^\/assets\/audio\/reply_[A-Za-z0-9]{24}\.wav$/);
    expect(media.video_url).toMatch(/^\/assets\/video\/reply_[A-Za-z0-9]{24}\.mp4$/);
    // Not there yet: the files appear when the jobs finish.
    expect((await asset(media.audio_url)).status).toBe(404);

    const videoSeen = await waitForStatus(media.video_request_id, terminal, 30_000);
    const videoReadyMs = Date.now() - repliedAt;
    const audio = (await status(media.audio_request_id)).json;
    const audioReadyMs = Date.parse(audio.completed_at) - repliedAt;
    console.log(`reply -> speech ready ${audioReadyMs} ms (server clock), reply -> video ready ${videoReadyMs} ms`);

    expect(audio).toMatchObject({ status: "completed", media_type: "voice" });
    const video = videoSeen.at(-1);
    expect(video).toMatchObject({ status: "completed", media_type: "video", progress: 100 });
    // Progress was visible on the way: the video waited (queued, 0) for its speech, then ran.
    const progress = videoSeen.map((s) => s.progress);
    expect(
      progress.some((p) => p > 0 && p < 100),
      `progress seen: ${progress}`,
    ).toBe(true);
    expect(videoSeen.some((s) => s.status === "queued")).toBe(true);
    expect(videoSeen.some((s) => s.status === "processing")).toBe(true);

    const wav = await asset(media.audio_url);
    expect(wav.status).toBe(200);
    expect(wav.headers.get("Content-Type")).toBe("audio/wav");
    expect(wav.bytes.length).toBe(audio.result.file_size_bytes);
    const speech = await probeWav(wav.bytes);
    expect(speech.durationSeconds).toBeGreaterThan(1);
    expect(speech.durationSeconds).toBe(audio.result.duration_seconds);

    const mp4 = await asset(media.video_url);
    expect(mp4.status).toBe(200);
    expect(mp4.headers.get("Content-Type")).toBe("video/mp4");
    expect(mp4.bytes.length).toBe(video.result.file_size_bytes);
    const face = probeMp4(mp4.bytes);
    // The emulator cannot fetch this test's public URL (http://chattr.test) for the joined speech, so
    // the face's length is not the speech's here; test/e2e/media.test.ts checks it over real HTTP.
    expect(face.durationSeconds).toBeGreaterThan(0);
    expect(video.result.duration_seconds).toBe(face.durationSeconds);
    expect(video.result.resolution).toBe("256x256");

    // History carries the media once ready.
    const reply = (await fullHistory("media-e2e")).find((m) => m.id === res.json.message_id);
    expect(reply.media).toMatchObject({
      audio_url: media.audio_url,
      audio_status: "ready",
      audio_duration_seconds: speech.durationSeconds,
      video_url: media.video_url,
      video_status: "ready",
      video_duration_seconds: face.durationSeconds,
    });
    expect(reply.media.thumbnail_url).toMatch(/_thumb\.jpg$/);
  });

  it("media off per message: false, or {video: false}", async () => {
    const off = await send({ message: "no media", session_id: "media-off", media: false });
    expect(off.status).toBe(200);
    expect(off.json.media).toBeNull();
    const voiceOnly = await send({ message: "voice only", session_id: "media-off", media: { video: false } });
    expect(voiceOnly.json.media.audio_url).toBeDefined();
    expect(voiceOnly.json.media.video_url).toBeUndefined();
  });

  it("media off per session, checked against the session's owner", async () => {
    const { key } = await createKey("owner");
    const { key: other } = await createKey("other");
    const first = await send({ message: "hello", session_id: "media-session-off" }, key);
    expect(first.json.media.video_url).toBeDefined();
    expect((await api("PUT", "/api/v1/media/sessions/media-session-off", { key: other, body: { voice: false } })).status).toBe(403);
    expect((await api("PUT", "/api/v1/media/sessions/no-such-session", { key, body: { voice: false } })).status).toBe(404);
    const put = await api("PUT", "/api/v1/media/sessions/media-session-off", { key, body: { video: false } });
    expect(put.status, put.text).toBe(200);
    expect(put.json).toEqual({ session_id: "media-session-off", voice: true, video: false });
    const second = await send({ message: "again", session_id: "media-session-off" }, key);
    expect(second.json.media.audio_url).toBeDefined();
    expect(second.json.media.video_url).toBeUndefined();
    await api("PUT", "/api/v1/media/sessions/media-session-off", { key, body: { voice: false } });
    expect((await send({ message: "quiet", session_id: "media-session-off" }, key)).json.media).toBeNull();
    expect((await api("GET", "/api/v1/media/sessions/media-session-off", { key })).json).toEqual({
      session_id: "media-session-off",
      voice: false,
      video: false,
    });
  });

  it("a character without the voice capability replies with no media", async () => {
    await api("POST", "/api/v1/characters", { body: { id: "mute", name: "Mute", capabilities: ["text"] } });
    const res = await send({ message: "hi", character_id: "mute", session_id: "mute-session" });
    expect(res.status).toBe(200);
    expect(res.json.media).toBeNull();
  });

  it("creative (voice, no video) gets speech only", async () => {
    await drainWebhooks();
    const res = await send({ message: "a poem please", character_id: "creative", session_id: "creative-media" });
    expect(res.json.media.audio_url).toBeDefined();
    expect(res.json.media.video_url).toBeUndefined();
    await waitForStatus(res.json.media.audio_request_id, terminal);
    await pumpWebhooks();
  });
});

import { describe, expect, it, vi } from "vitest";
import { probeMp4, probeWav } from "../../gpu-jobs/media-files";
import { api, createKey } from "../support/api";
import { asset, drainWebhooks, pumpWebhooks, terminal, waitForStatus } from "../support/media";

// Jobs run through the GPU emulator; on a loaded 2-core machine a few seconds is not a hang.
vi.setConfig({ testTimeout: 30_000 });

describe("POST /api/v1/media/voice", () => {
  it("answers 202 at once, shows progress, and ends with a playable WAV in R2", async () => {
    await drainWebhooks();
    const text = "Hello, this will be converted to speech";
    const res = await api("POST", "/api/v1/media/voice", {
      body: { text, character_id: "assistant", voice_settings: { speed: 1.0, pitch: 1.0, emotion: "neutral" } },
    });
    expect(res.status, res.text).toBe(202);
    expect(res.json).toMatchObject({ status: "queued", media_type: "voice" });
    expect(res.json.request_id).toMatch(/^media_/);

    const seen = await waitForStatus(res.json.request_id, terminal);
    const progress = seen.map((s) => s.progress);
    expect(
      progress.some((p) => p > 0 && p < 100),
      `progress seen: ${progress}`,
    ).toBe(true);
    expect(progress).toEqual([...progress].sort((a, b) => a - b)); // never backwards
    const done = seen.at(-1);
    expect(done).toMatchObject({ status: "completed", progress: 100, media_type: "voice" });
    expect(done.result.audio_url).toMatch(/^\/assets\/audio\/voice_[A-Za-z0-9]{24}\.wav$/);
    expect(done.completed_at).toMatch(/Z$/);

    const file = await asset(done.result.audio_url);
    expect(file.status).toBe(200);
    expect(file.headers.get("Content-Type")).toBe("audio/wav");
    expect(file.bytes.length).toBe(done.result.file_size_bytes);
    const facts = await probeWav(file.bytes);
    expect(facts.durationSeconds).toBeCloseTo(done.result.duration_seconds, 2);
    // The emulator speaks ~15 characters a second.
    expect(facts.durationSeconds).toBeGreaterThan(text.length / 20);
    expect(facts.durationSeconds).toBeLessThan(text.length / 10);
  });

  it("with Prefer: wait=N answers 200 with the reference's full body", async () => {
    await drainWebhooks();
    const pending = api("POST", "/api/v1/media/voice", { body: { text: "Short and sweet." }, headers: { Prefer: "wait=20" } });
    let res: Awaited<typeof pending> | undefined;
    pending.then((r) => (res = r));
    while (!res) {
      await pumpWebhooks();
      await new Promise((r) => setTimeout(r, 40));
    }
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get("Preference-Applied")).toBe("wait=20");
    expect(Object.keys(res.json).sort()).toEqual(["audio_url", "duration_seconds", "file_size_bytes", "format", "generated_at", "request_id"]);
    expect(res.json.format).toBe("wav");
    expect(res.json.duration_seconds).toBeGreaterThan(0.5);
  });

  it("a longer text or a faster speed changes the length of the speech", async () => {
    await drainWebhooks();
    const make = async (text: string, speed: number) => {
      const res = await api("POST", "/api/v1/media/voice", { body: { text, voice_settings: { speed } } });
      return (await waitForStatus(res.json.request_id, terminal)).at(-1).result.duration_seconds as number;
    };
    const short = await make("One two three four five.", 1);
    const long = await make("One two three four five. Six seven eight nine ten. Eleven twelve.", 1);
    const fast = await make("One two three four five. Six seven eight nine ten. Eleven twelve.", 2);
    expect(long).toBeGreaterThan(short * 2);
    expect(fast).toBeCloseTo(long / 2, 1);
  });
});

describe("POST /api/v1/media/video", () => {
  it("makes a scene of the requested length, with a thumbnail, and the reference's body", async () => {
    await drainWebhooks();
    const res = await api("POST", "/api/v1/media/video", {
      body: {
        text: "A serene landscape with mountains",
        character_id: "assistant",
        video_settings: { width: 512, height: 512, duration_seconds: 5, style: "realistic" },
      },
    });
    expect(res.status, res.text).toBe(202);
    const done = (await waitForStatus(res.json.request_id, terminal)).at(-1);
    expect(done.status, JSON.stringify(done)).toBe("completed");
    expect(done.result.video_url).toMatch(/^\/assets\/video\/video_[A-Za-z0-9]{24}\.mp4$/);
    const file = await asset(done.result.video_url);
    expect(file.headers.get("Content-Type")).toBe("video/mp4");
    const facts = probeMp4(file.bytes);
    expect(facts.durationSeconds).toBe(5);
    expect(done.result.duration_seconds).toBe(5);
    expect(done.result.resolution).toBe(`${facts.width}x${facts.height}`);
    expect(done.result.thumbnail_url).toMatch(/_thumb\.jpg$/);
    const thumb = await asset(done.result.thumbnail_url);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get("Content-Type")).toBe("image/jpeg");
    expect([...thumb.bytes.subarray(0, 2)]).toEqual([0xff, 0xd8]);
  });

  it("a chat-scoped key can generate media and read its own status", async () => {
    const { key } = await createKey("media app");
    const res = await api("POST", "/api/v1/media/voice", { key, body: { text: "mine" } });
    expect(res.status).toBe(202);
    expect((await api("GET", `/api/v1/media/status/${res.json.request_id}`, { key })).status).toBe(200);
  });
});

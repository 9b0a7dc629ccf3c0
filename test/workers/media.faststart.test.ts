/**
 * Video that browsers play: every MP4 we serve is H.264 with moov before mdat. The plain functions
 * (gpu-jobs/mp4-faststart.ts, assertH264) on files made by the emulator's encoder (test/support/
 * mp4-fixtures-setup.ts), then the whole path through the Worker with the emulator's [[moov-last]]
 * and [[mjpeg]] outputs.
 */
import { createFile, MP4BoxBuffer } from "mp4box";
import { describe, expect, inject, it, vi } from "vitest";
import { assertH264, MediaFileError, probeMp4 } from "../../gpu-jobs/media-files";
import { readBoxes } from "../../gpu-jobs/mp4-boxes";
import { faststart, isFaststart } from "../../gpu-jobs/mp4-faststart";
import { api } from "../support/api";
import { env } from "../support/env";
import { asset, drainWebhooks, terminal, waitForStatus } from "../support/media";
import { getDb } from "../../workers/db/client";
import { getJob } from "../../workers/media/store";

vi.setConfig({ testTimeout: 30_000 });

const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
const moovLast = fromBase64(inject("mp4MoovLast"));
const motionJpeg = fromBase64(inject("mp4MotionJpeg"));
const topLevel = (bytes: Uint8Array) => readBoxes(bytes).map((box) => box.type);

/** Every sample of every track, as mp4box finds it through the sample tables: where it is and its bytes. */
function samples(bytes: Uint8Array) {
  const file = createFile();
  file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(bytes.slice().buffer, 0));
  file.flush();
  return file
    .getInfo()
    .tracks.flatMap((track) =>
      file
        .getTrackSamplesInfo(track.id)
        .map((sample) => ({ track: track.id, offset: sample.offset, data: bytes.slice(sample.offset, sample.offset + sample.size) })),
    );
}

describe("faststart (moov before mdat)", () => {
  it("moves moov before mdat: same size, chunk offsets follow their samples", () => {
    expect(topLevel(moovLast).indexOf("moov")).toBeGreaterThan(topLevel(moovLast).indexOf("mdat"));
    expect(isFaststart(moovLast)).toBe(false);

    const fixed = faststart(moovLast);
    const types = topLevel(fixed);
    expect(types.indexOf("moov")).toBeLessThan(types.indexOf("mdat"));
    expect(fixed.length).toBe(moovLast.length);
    expect(isFaststart(fixed)).toBe(true);

    // mp4box reads the same file: same tracks and facts, and each sample's bytes at its new offset.
    const before = samples(moovLast);
    const after = samples(fixed);
    expect(after.length).toBe(before.length);
    expect(new Set(before.map((s) => s.track)).size).toBe(2); // video and its AAC sound
    const moov = readBoxes(moovLast).find((box) => box.type === "moov")!;
    after.forEach((sample, i) => {
      expect(sample.track).toBe(before[i]!.track);
      expect(sample.offset).toBe(before[i]!.offset + moov.size);
      expect(sample.data).toEqual(before[i]!.data);
    });
    const { faststart: wasFast, ...facts } = probeMp4(moovLast);
    expect(wasFast).toBe(false);
    expect(probeMp4(fixed)).toEqual({ ...facts, faststart: true });
  });

  it("leaves a file whose moov is already first as it is", () => {
    const fixed = faststart(moovLast);
    expect(faststart(fixed)).toBe(fixed);
  });

  it("refuses bytes with no moov", () => {
    expect(() => faststart(new TextEncoder().encode("\u0000\u0000\u0000\u0010mdat12345678"))).toThrow(MediaFileError);
  });
});

describe("H.264 only", () => {
  it("accepts the emulator's H.264 (avc1)", () => {
    const facts = probeMp4(moovLast);
    expect(facts).toMatchObject({ codecName: "H.264", codec: expect.stringMatching(/^avc1\./) });
    expect(() => assertH264(facts)).not.toThrow();
  });

  it("refuses Motion-JPEG, naming the codec", () => {
    const facts = probeMp4(motionJpeg);
    expect(() => assertH264(facts)).toThrow(MediaFileError);
    expect(() => assertH264(facts)).toThrow(/Motion-JPEG \(mp4v\)/);
  });

  it("refuses H.265 by name too (Chromium without a platform decoder cannot play it)", () => {
    expect(() => assertH264({ codec: "hvc1.1.6.L93.B0", codecName: "H.265/HEVC" })).toThrow(/H\.265\/HEVC \(hvc1\.1\.6\.L93\.B0\), not H\.264/);
  });
});

describe("outputs stored through the Worker", () => {
  const video = async (text: string) => {
    await drainWebhooks();
    const res = await api("POST", "/api/v1/media/video", { body: { text, video_settings: { width: 512, height: 512, duration_seconds: 5 } } });
    expect(res.status, res.text).toBe(202);
    return (await waitForStatus(res.json.request_id, terminal)).at(-1);
  };

  it("an output with moov last is stored with moov first, the same size", async () => {
    const done = await video("[[moov-last]] a scene");
    expect(done.status, JSON.stringify(done)).toBe("completed");
    const file = await asset(done.result.video_url);
    expect(topLevel(file.bytes).indexOf("moov")).toBeLessThan(topLevel(file.bytes).indexOf("mdat"));
    expect(file.bytes.length).toBe(done.result.file_size_bytes);
    expect(probeMp4(file.bytes)).toMatchObject({ codecName: "H.264", faststart: true, durationSeconds: 5 });
    expect(done.result.thumbnail_url).toMatch(/_thumb\.jpg$/);
  });

  it("a Motion-JPEG output fails the job, with the codec in the log, and nothing stays stored", async () => {
    const errors = vi.spyOn(console, "error");
    const done = await video("[[mjpeg]] a scene");
    expect(done.status).toBe("failed");
    expect(done.error.code).toBe("SERVICE_UNAVAILABLE");
    const logged = errors.mock.calls.map((call) => String(call[0])).find((line) => line.includes(done.request_id));
    expect(JSON.parse(logged!)).toMatchObject({ event: "media_job_failed", detail: expect.stringMatching(/Motion-JPEG \(mp4v\), not H\.264/) });
    errors.mockRestore();
    const row = await getJob(getDb(env.DB), done.request_id);
    expect(await env.MEDIA.head(`video/${row!.assetName}.mp4`)).toBeNull();
    expect(await env.MEDIA.head(`video/${row!.assetName}_thumb.jpg`)).toBeNull();
  });
});

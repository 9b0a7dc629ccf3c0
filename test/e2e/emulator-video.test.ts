import { createFile, MP4BoxBuffer } from "mp4box";
import { describe, expect, it } from "vitest";
import { produceOutput } from "../../gpu-jobs/emulator/outputs.ts";
import { synthesizeSpeech, wavSeconds } from "../../gpu-jobs/emulator/wav.ts";
import { probeMp4 } from "../../gpu-jobs/media-files.ts";

/** The tracks' codecs of an MP4. */
function codecs(bytes: Uint8Array): string[] {
  const file = createFile();
  file.appendBuffer(MP4BoxBuffer.fromArrayBuffer(bytes.slice().buffer, 0));
  file.flush();
  return file.getInfo().tracks.map((track) => track.codec);
}

// The GPU emulator's encoder, on Node as npm start runs it: what it makes is what browsers play.
describe("the GPU emulator's videos", () => {
  const speech = synthesizeSpeech("Hello there, this is the talking head speaking for a few seconds.");
  const talkingHead = () => produceOutput({ source_image: "/assets/avatars/assistant.png", driven_audio: "data:audio/wav;base64," }, async () => speech);

  it("a talking head is H.264 Baseline with the speech as AAC, moov first, as long as the speech, with a cover", async () => {
    const started = performance.now();
    const { type, bytes } = await talkingHead();
    console.log(`emulator: a ${wavSeconds(speech)!.toFixed(1)} s talking head in ${(performance.now() - started).toFixed(0)} ms, ${bytes.length} bytes`);
    expect(type).toBe("video/mp4");
    const facts = probeMp4(bytes);
    expect(facts).toMatchObject({ codecName: "H.264", faststart: true, width: 256, height: 256 });
    expect(facts.thumbnailJpeg?.subarray(0, 2)).toEqual(new Uint8Array([0xff, 0xd8]));
    // avc1.42...: profile_idc 66, Baseline.
    expect(codecs(bytes)).toEqual([expect.stringMatching(/^avc1\.42/), "mp4a.40.2"]);
    expect(Math.abs(facts.durationSeconds - wavSeconds(speech)!)).toBeLessThanOrEqual(0.1);
  });

  it("the same input gives the same bytes", async () => {
    const [a, b] = await Promise.all([talkingHead(), talkingHead()]);
    expect(Buffer.from(a.bytes).equals(Buffer.from(b.bytes))).toBe(true);
  });

  it("a scene has the requested size and length", async () => {
    const { bytes } = await produceOutput({ prompt: "a lake", duration: 5, resolution: "720p", aspect_ratio: "16:9" }, async () => undefined);
    expect(probeMp4(bytes)).toMatchObject({ codecName: "H.264", faststart: true, width: 1280, height: 720, durationSeconds: 5 });
  });
});

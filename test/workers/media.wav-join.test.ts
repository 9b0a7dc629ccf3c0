import { describe, expect, it } from "vitest";
import { probeWav } from "../../gpu-jobs/media-files";
import { synthesizeSpeech, wavFile } from "../../gpu-jobs/emulator/wav";
import { joinWavs, parseWav, WavError, type WavFormat } from "../../gpu-jobs/wav-join";

const ascii = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));

/** A RIFF/WAVE file of these chunks, each padded to an even size as the format says. */
function riff(chunks: [id: string, body: Uint8Array][]): Uint8Array {
  const out = new Uint8Array(12 + chunks.reduce((n, [, body]) => n + 8 + body.length + (body.length % 2), 0));
  const view = new DataView(out.buffer);
  out.set(ascii("RIFF"));
  view.setUint32(4, out.length - 8, true);
  out.set(ascii("WAVE"), 8);
  let at = 12;
  for (const [id, body] of chunks) {
    out.set(ascii(id), at);
    view.setUint32(at + 4, body.length, true);
    out.set(body, at + 8);
    at += 8 + body.length + (body.length % 2);
  }
  return out;
}

/** A fmt chunk's body: tag, channels, rate, byte rate, frame size, bits (and the extensible tail). */
function fmt(tag: number, channels: number, sampleRate: number, bits: number, subFormat?: number): Uint8Array {
  const body = new Uint8Array(subFormat === undefined ? 16 : 40);
  const view = new DataView(body.buffer);
  const frame = (channels * bits) / 8;
  view.setUint16(0, tag, true);
  view.setUint16(2, channels, true);
  view.setUint32(4, sampleRate, true);
  view.setUint32(8, sampleRate * frame, true);
  view.setUint16(12, frame, true);
  view.setUint16(14, bits, true);
  if (subFormat !== undefined) {
    view.setUint16(16, 22, true);
    view.setUint16(18, bits, true);
    view.setUint16(24, subFormat, true);
  }
  return body;
}

const pcm16 = (samples: number[]) => new Uint8Array(Int16Array.from(samples).buffer);
const mono24k: WavFormat = { encoding: "pcm", channels: 1, sampleRate: 24_000, bitsPerSample: 16 };

describe("joinWavs", () => {
  it("joins two 16-bit files into one whose header and samples add up", async () => {
    const first = synthesizeSpeech("Hello there, traveler.");
    const second = synthesizeSpeech("Welcome to the inn.");
    const joined = joinWavs([first, second]);
    const view = new DataView(joined.buffer);
    const a = parseWav(first).data;
    const b = parseWav(second).data;

    expect(view.getUint32(4, true)).toBe(joined.length - 8);
    expect(view.getUint32(40, true)).toBe(a.length + b.length);
    expect(joined.length).toBe(44 + a.length + b.length);
    const back = parseWav(joined);
    expect(back.format).toEqual(mono24k);
    expect(back.data.length).toBe(a.length + b.length);
    expect(back.data.subarray(0, a.length)).toEqual(a);
    expect(back.data.subarray(a.length)).toEqual(b);
    // Another parser (music-metadata, what the Worker probes outputs with) reads the same length.
    const facts = await probeWav(joined);
    expect(facts.sampleRate).toBe(24_000);
    expect(facts.durationSeconds).toBeCloseTo((a.length + b.length) / 2 / 24_000, 3);
  });

  it("puts gapMs of silence between files, not around them", () => {
    const one = wavFile(Int16Array.from([1000, -1000]), 8000);
    const joined = parseWav(joinWavs([one, one, one], { gapMs: 10 }));
    // 10 ms at 8 kHz: 80 frames of 2 bytes.
    expect(joined.data.length).toBe(3 * 4 + 2 * 160);
    const samples = new Int16Array(joined.data.slice().buffer);
    expect([...samples.subarray(0, 3)]).toEqual([1000, -1000, 0]);
    expect(samples.subarray(2, 82).every((s) => s === 0)).toBe(true);
    expect([...samples.subarray(82, 84)]).toEqual([1000, -1000]);
    expect(samples.length).toBe(2 + 80 + 2 + 80 + 2);
    // Unsigned 8-bit PCM is silent at 128.
    const eight = riff([
      ["fmt ", fmt(1, 1, 8000, 8)],
      ["data", new Uint8Array([10, 20])],
    ]);
    expect([...parseWav(joinWavs([eight, eight], { gapMs: 0.25 })).data]).toEqual([10, 20, 128, 128, 10, 20]);
    expect(() => joinWavs([one], { gapMs: -1 })).toThrow(WavError);
  });

  it("reads chunks in any order around data: LIST, odd sizes, fact, an extensible fmt", () => {
    const samples = pcm16([1, 2, 3, -4]);
    const listed = riff([
      ["fmt ", fmt(1, 1, 24_000, 16)],
      ["LIST", ascii("INFOx")],
      ["junk", new Uint8Array(3)],
      ["data", samples],
      ["id3 ", ascii("tail")],
    ]);
    expect(parseWav(listed)).toEqual({ format: mono24k, data: samples });
    const extensible = riff([
      ["fmt ", fmt(0xfffe, 1, 24_000, 16, 1)],
      ["fact", new Uint8Array(4)],
      ["data", samples],
    ]);
    expect(parseWav(extensible).format).toEqual(mono24k);
    const joined = parseWav(joinWavs([listed, extensible, wavFile(Int16Array.from([7]), 24_000)]));
    expect([...new Int16Array(joined.data.slice().buffer)]).toEqual([1, 2, 3, -4, 1, 2, 3, -4, 7]);
  });

  it("joins 32-bit float files", () => {
    const float = (values: number[]) =>
      riff([
        ["fmt ", fmt(3, 2, 48_000, 32)],
        ["data", new Uint8Array(Float32Array.from(values).buffer)],
      ]);
    const joined = joinWavs([float([0.5, -0.5]), float([0.25, 0])]);
    expect(new DataView(joined.buffer).getUint16(20, true)).toBe(3);
    const back = parseWav(joined);
    expect(back.format).toEqual({ encoding: "float", channels: 2, sampleRate: 48_000, bitsPerSample: 32 });
    expect([...new Float32Array(back.data.slice().buffer)]).toEqual([0.5, -0.5, 0.25, 0]);
  });

  it("refuses files of another format, naming the file and both formats", () => {
    const a = wavFile(Int16Array.from([1]), 24_000);
    const b = wavFile(Int16Array.from([1]), 22_050);
    const error = (() => {
      try {
        joinWavs([a, a, b]);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(WavError);
    expect((error as WavError).index).toBe(2);
    expect((error as WavError).message).toBe("files[2]: mono 22050 Hz 16-bit PCM differs from files[0]'s mono 24000 Hz 16-bit PCM");
    const stereo = riff([
      ["fmt ", fmt(1, 2, 24_000, 16)],
      ["data", pcm16([1, 1])],
    ]);
    expect(() => joinWavs([a, stereo])).toThrow("files[1]: stereo 24000 Hz 16-bit PCM differs from files[0]'s mono 24000 Hz 16-bit PCM");
  });

  it("refuses a truncated file, and what is not PCM WAV", () => {
    const whole = synthesizeSpeech("Hello.");
    const cut = whole.subarray(0, whole.length - 100);
    expect(() => joinWavs([whole, cut])).toThrow(/^files\[1\]: truncated/);
    expect(() => parseWav(whole.subarray(0, 30))).toThrow(/truncated/);
    // The RIFF size right, the data chunk's wrong.
    const lying = whole.slice();
    new DataView(lying.buffer).setUint32(40, whole.length, true);
    expect(() => parseWav(lying)).toThrow("truncated: the data chunk says");
    expect(() => parseWav(ascii("RIFF....WAVE not really"))).toThrow(WavError);
    expect(() => parseWav(ascii("ID3 an mp3 file really"))).toThrow("not a RIFF/WAVE file");
    expect(() => parseWav(riff([["data", pcm16([1])]]))).toThrow("the data chunk comes before the fmt chunk");
    expect(() => parseWav(riff([["fmt ", fmt(1, 1, 24_000, 16)]]))).toThrow("no data chunk");
    expect(() =>
      parseWav(
        riff([
          ["fmt ", fmt(7, 1, 8000, 8)],
          ["data", new Uint8Array(2)],
        ]),
      ),
    ).toThrow("format tag 7 is neither PCM nor float");
    expect(() => joinWavs([])).toThrow("no files to join");
  });

  it("reads a streamed WAV whose sizes were never filled in, up to its end", () => {
    const streamed = wavFile(Int16Array.from([5, 6, 7]), 24_000);
    const view = new DataView(streamed.buffer);
    view.setUint32(4, 0xffffffff, true);
    view.setUint32(40, 0xffffffff, true);
    expect([...new Int16Array(parseWav(streamed).data.slice().buffer)]).toEqual([5, 6, 7]);
  });
});

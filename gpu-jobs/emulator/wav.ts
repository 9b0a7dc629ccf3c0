/**
 * Speech-shaped test audio: a 16-bit PCM WAV whose length follows the text (about 15 characters a
 * second at speed 1.0, like a calm speaker), with voiced "syllables" and pauses at spaces and commas.
 * Not speech, but a file any player opens and any WAV parser measures.
 */
import { parseWav, wavHeader } from "../wav-join.ts";

const SAMPLE_RATE = 24_000; // Kokoro-82M's output rate

const CHARS_PER_SECOND = 15;

function speechSeconds(text: string, speed = 1): number {
  return Math.max(0.5, text.trim().length / CHARS_PER_SECOND / speed);
}

export function synthesizeSpeech(text: string, speed = 1): Uint8Array<ArrayBuffer> {
  const samples = Math.round(speechSeconds(text, speed) * SAMPLE_RATE);
  const pcm = new Int16Array(samples);
  const chars = [...text.trim()];
  const perChar = samples / Math.max(1, chars.length);
  for (let i = 0; i < samples; i++) {
    const ch = chars[Math.min(chars.length - 1, Math.floor(i / perChar))] ?? " ";
    const silent = /[\s,.;:!?]/.test(ch);
    const within = (i % perChar) / perChar;
    const envelope = silent ? 0 : Math.sin(Math.PI * within);
    const t = i / SAMPLE_RATE;
    const pitch = 140 + 30 * Math.sin(2 * Math.PI * 0.7 * t); // a slowly moving intonation
    const voice = 0.6 * Math.sin(2 * Math.PI * pitch * t) + 0.3 * Math.sin(4 * Math.PI * pitch * t) + 0.1 * Math.sin(6 * Math.PI * pitch * t);
    pcm[i] = Math.round(voice * envelope * 0.5 * 32767);
  }
  return wavFile(pcm, SAMPLE_RATE);
}

/** A canonical 44-byte-header RIFF/WAVE file around mono 16-bit PCM. */
export function wavFile(pcm: Int16Array, sampleRate: number): Uint8Array<ArrayBuffer> {
  const header = wavHeader({ encoding: "pcm", channels: 1, sampleRate, bitsPerSample: 16 }, pcm.length * 2);
  const out = new Uint8Array(header.length + pcm.length * 2);
  out.set(header);
  const view = new DataView(out.buffer);
  for (let i = 0; i < pcm.length; i++) view.setInt16(header.length + i * 2, pcm[i]!, true);
  return out;
}

/** Seconds of audio in a WAV (the talking head's input), or undefined when it is not one we can read. */
export function wavSeconds(bytes: Uint8Array): number | undefined {
  try {
    const { format, data } = parseWav(bytes);
    return data.length / (format.sampleRate * format.channels * (format.bitsPerSample / 8));
  } catch {
    return undefined;
  }
}

/**
 * Speech-shaped test audio: a 16-bit PCM WAV whose length follows the text (about 15 characters a
 * second at speed 1.0, like a calm speaker), with voiced "syllables" and pauses at spaces and commas.
 * Not speech, but a file any player opens and any WAV parser measures.
 */
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
  const dataBytes = pcm.length * 2;
  const out = new Uint8Array(44 + dataBytes);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, s: string) => {
    for (let i = 0; i < s.length; i++) view.setUint8(offset + i, s.charCodeAt(i));
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  for (let i = 0; i < pcm.length; i++) view.setInt16(44 + i * 2, pcm[i]!, true);
  return out;
}

/** Seconds of audio in a WAV made by wavFile (the emulator reads its own files back this way). */
export function wavSeconds(bytes: Uint8Array): number | undefined {
  if (bytes.length < 44) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = String.fromCharCode(...bytes.subarray(8, 12));
  if (tag !== "WAVE") return undefined;
  return view.getUint32(40, true) / view.getUint32(28, true);
}

/**
 * PCM WAV files read and written by hand (RIFF chunks walked as the format says: `fmt ` then
 * anything, `LIST` and `fact` included, `data` wherever it stands, odd sizes padded to even), and
 * joined into one: a reply voiced chunk by chunk becomes one file. Formats are never converted: files
 * that differ in channels, rate or sample type are refused, and the caller decides what to do.
 */

type WavEncoding = "pcm" | "float";

export interface WavFormat {
  encoding: WavEncoding;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

export interface Wav {
  format: WavFormat;
  /** The samples (a view into the file's bytes), whole frames only. */
  data: Uint8Array;
}

export class WavError extends Error {
  /** Which of the files given to joinWavs, when there were several. */
  readonly index: number | undefined;

  constructor(message: string, index?: number) {
    super(index === undefined ? message : `files[${index}]: ${message}`);
    this.name = "WavError";
    this.index = index;
  }
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
// WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
const FORMAT_EXTENSIBLE = 0xfffe;
const PCM_BITS = [8, 16, 24, 32];
const FLOAT_BITS = [32, 64];
// The size a streaming writer puts in before it knows the length: "up to the end of the file".
const UNKNOWN_SIZE = 0xffffffff;
const HEADER_BYTES = 44;

/** "mono 24000 Hz 16-bit PCM", for messages. */
function describeWavFormat(format: WavFormat): string {
  const channels = format.channels === 1 ? "mono" : format.channels === 2 ? "stereo" : `${format.channels}-channel`;
  return `${channels} ${format.sampleRate} Hz ${format.bitsPerSample}-bit ${format.encoding === "pcm" ? "PCM" : "float"}`;
}

const bytesPerFrame = (format: WavFormat) => format.channels * (format.bitsPerSample / 8);

/** A WAV file's format and samples. Throws WavError on a file that is not PCM or float WAV, or is cut short. */
export function parseWav(bytes: Uint8Array): Wav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE") throw new WavError("not a RIFF/WAVE file");
  const riffSize = view.getUint32(4, true);
  if (riffSize !== UNKNOWN_SIZE && riffSize + 8 > bytes.length) {
    throw new WavError(`truncated: the RIFF header says ${riffSize + 8} bytes, the file has ${bytes.length}`);
  }
  // Chunks are bounded by the file, not by the RIFF size: writers that get it wrong make it too small.
  const end = bytes.length;
  let format: WavFormat | undefined;
  for (let offset = 12; offset + 8 <= end; ) {
    const id = tag(offset);
    const declared = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === "data") {
      if (!format) throw new WavError("the data chunk comes before the fmt chunk");
      const size = declared === UNKNOWN_SIZE ? end - body : declared;
      if (body + size > end) throw new WavError(`truncated: the data chunk says ${size} bytes, ${end - body} are left`);
      // A partial frame at the end cannot be joined to the next file's first frame: dropped.
      const whole = size - (size % bytesPerFrame(format));
      return { format, data: bytes.subarray(body, body + whole) };
    }
    if (body + declared > end) throw new WavError(`truncated: the ${JSON.stringify(id)} chunk says ${declared} bytes, ${end - body} are left`);
    if (id === "fmt ") format = readFormat(new DataView(bytes.buffer, bytes.byteOffset + body, declared));
    offset = body + declared + (declared % 2);
  }
  throw new WavError(format ? "truncated: no data chunk" : "no fmt chunk");
}

function readFormat(fmt: DataView): WavFormat {
  if (fmt.byteLength < 16) throw new WavError(`the fmt chunk has ${fmt.byteLength} bytes, fewer than 16`);
  let tag = fmt.getUint16(0, true);
  if (tag === FORMAT_EXTENSIBLE) {
    if (fmt.byteLength < 26) throw new WavError("the extensible fmt chunk has no sub-format");
    tag = fmt.getUint16(24, true);
  }
  const format: WavFormat = {
    encoding: tag === FORMAT_FLOAT ? "float" : "pcm",
    channels: fmt.getUint16(2, true),
    sampleRate: fmt.getUint32(4, true),
    bitsPerSample: fmt.getUint16(14, true),
  };
  const blockAlign = fmt.getUint16(12, true);
  const supported = tag === FORMAT_PCM ? PCM_BITS : tag === FORMAT_FLOAT ? FLOAT_BITS : [];
  if (!supported.length) throw new WavError(`format tag ${tag} is neither PCM nor float`);
  if (!supported.includes(format.bitsPerSample) || format.channels < 1 || format.sampleRate < 1 || blockAlign !== bytesPerFrame(format)) {
    throw new WavError(`unsupported format: ${describeWavFormat(format)}, ${blockAlign} bytes a frame`);
  }
  return format;
}

/** The 44-byte header of a canonical WAV file (RIFF, a 16-byte fmt chunk, data) holding `dataBytes` of samples. */
export function wavHeader(format: WavFormat, dataBytes: number): Uint8Array<ArrayBuffer> {
  if (dataBytes + HEADER_BYTES - 8 > 0xffffffff) throw new WavError(`${dataBytes} bytes of samples do not fit in a WAV file`);
  const header = new Uint8Array(HEADER_BYTES);
  const view = new DataView(header.buffer);
  const ascii = (offset: number, s: string) => {
    for (let i = 0; i < s.length; i++) view.setUint8(offset + i, s.charCodeAt(i));
  };
  const frameBytes = bytesPerFrame(format);
  ascii(0, "RIFF");
  view.setUint32(4, HEADER_BYTES - 8 + dataBytes, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, format.encoding === "float" ? FORMAT_FLOAT : FORMAT_PCM, true);
  view.setUint16(22, format.channels, true);
  view.setUint32(24, format.sampleRate, true);
  view.setUint32(28, format.sampleRate * frameBytes, true);
  view.setUint16(32, frameBytes, true);
  view.setUint16(34, format.bitsPerSample, true);
  ascii(36, "data");
  view.setUint32(40, dataBytes, true);
  return header;
}

export interface JoinOptions {
  /** Silence between one file and the next, in milliseconds (none before the first or after the last). */
  gapMs?: number;
}

/**
 * One canonical WAV file holding the files' samples one after the other. All must share a format
 * (channels, sample rate, sample type and size); the first one that does not throws a WavError
 * naming its index and both formats. A file that is not a WAV or is cut short throws too.
 */
export function joinWavs(files: Uint8Array[], options: JoinOptions = {}): Uint8Array<ArrayBuffer> {
  const gapMs = options.gapMs ?? 0;
  if (!Number.isFinite(gapMs) || gapMs < 0) throw new WavError(`gapMs must be a number of milliseconds, 0 or more, not ${gapMs}`);
  if (!files.length) throw new WavError("no files to join");
  const wavs = files.map((bytes, index) => {
    try {
      return parseWav(bytes);
    } catch (error) {
      throw error instanceof WavError ? new WavError(error.message, index) : error;
    }
  });
  const format = wavs[0]!.format;
  wavs.forEach((wav, index) => {
    const other = wav.format;
    const same = other.encoding === format.encoding && other.channels === format.channels;
    if (!same || other.sampleRate !== format.sampleRate || other.bitsPerSample !== format.bitsPerSample) {
      throw new WavError(`${describeWavFormat(other)} differs from files[0]'s ${describeWavFormat(format)}`, index);
    }
  });
  const gapBytes = Math.round((format.sampleRate * gapMs) / 1000) * bytesPerFrame(format);
  const dataBytes = wavs.reduce((sum, wav) => sum + wav.data.length, 0) + gapBytes * (wavs.length - 1);
  const header = wavHeader(format, dataBytes);
  const out = new Uint8Array(header.length + dataBytes);
  out.set(header);
  // 8-bit PCM is unsigned: its silence is 128; every other format's is 0.
  const silence = format.encoding === "pcm" && format.bitsPerSample === 8 ? 0x80 : 0;
  let at = header.length;
  wavs.forEach((wav, index) => {
    if (index > 0) {
      out.fill(silence, at, at + gapBytes);
      at += gapBytes;
    }
    out.set(wav.data, at);
    at += wav.data.length;
  });
  return out;
}

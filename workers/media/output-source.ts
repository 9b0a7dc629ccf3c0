/**
 * Where a finished job's file is read from: a data: URI (Cog), decoded in slices as it is consumed, or
 * a URL on one of the provider's delivery hosts, fetched without following redirects elsewhere.
 */
import { MediaFileError } from "../../gpu-jobs/media-files";
import { config } from "../config";
import type { Env } from "../env";

export interface OutputSource {
  body: ReadableStream<Uint8Array>;
  /** Bytes the source says it has (Content-Length, or the decoded size of a data URI), if known. */
  length?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 3;
// Characters of base64 decoded at a time: a multiple of 4, so each slice decodes on its own.
const BASE64_SLICE = 64 * 1024;

/**
 * The provider's delivery hosts: Replicate's (https://replicate.delivery and its subdomains) and the
 * origins configured for the providers (GPU_ENDPOINT_URL, REPLICATE_BASE_URL; the emulator in tests).
 */
function isDeliveryHost(providerOrigins: string[], url: URL): boolean {
  if (url.protocol === "https:" && (url.hostname === "replicate.delivery" || url.hostname.endsWith(".replicate.delivery"))) return true;
  return providerOrigins.includes(url.origin);
}

/** Opens the output at `url`; each fetch is bounded by GPU_TIMEOUT_MS. */
export async function openOutput(env: Env, url: string): Promise<OutputSource> {
  if (url.startsWith("data:")) return dataUriSource(url);
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new MediaFileError("the output is not an http(s) or data URL");
  const { cog, replicate, timeoutMs } = config(env).media;
  const providerOrigins = [cog?.endpointUrl, replicate?.baseUrl].flatMap((configured) => (configured ? [new URL(configured).origin] : []));
  let target = new URL(url);
  for (let hop = 0; ; hop++) {
    if (!isDeliveryHost(providerOrigins, target)) throw new MediaFileError(`the output is on ${target.host}, not one of the provider's delivery hosts`);
    let response: Response;
    try {
      response = await fetch(target.href, { redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new MediaFileError(`the output could not be fetched: ${(error as Error).name === "TimeoutError" ? "timed out" : "unreachable"}`);
    }
    if (REDIRECTS.has(response.status)) {
      await response.body?.cancel();
      const location = response.headers.get("Location");
      if (!location || hop >= MAX_REDIRECTS || !URL.canParse(location, target)) throw new MediaFileError("the output's redirects lead nowhere usable");
      // Followed only to another delivery host: checked at the top of the loop.
      target = new URL(location, target);
      continue;
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new MediaFileError(`the output could not be fetched (HTTP ${response.status})`);
    }
    const declared = response.headers.get("Content-Length");
    const length = declared !== null && /^\d+$/.test(declared) ? Number(declared) : undefined;
    return { body: response.body, length };
  }
}

/** A base64 data: URI as a stream of bytes, decoded a slice at a time (never the whole file at once). */
function dataUriSource(url: string): OutputSource {
  const comma = url.indexOf(",");
  if (comma < 0 || !url.slice(0, comma).endsWith(";base64")) throw new MediaFileError("the output data URI is not base64");
  const start = comma + 1;
  const chars = url.length - start;
  if (chars % 4 !== 0) throw new MediaFileError("the output data URI is not valid base64");
  const padding = url.endsWith("==") ? 2 : url.endsWith("=") ? 1 : 0;
  let position = start;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (position >= url.length) return controller.close();
        const slice = url.slice(position, Math.min(url.length, position + BASE64_SLICE));
        position += slice.length;
        let binary: string;
        try {
          binary = atob(slice);
        } catch {
          return controller.error(new MediaFileError("the output data URI is not valid base64"));
        }
        const bytes = new Uint8Array(binary.length);
        for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
        controller.enqueue(bytes);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, length: (chars / 4) * 3 - padding };
}

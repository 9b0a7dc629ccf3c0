/**
 * Random ids, hex and SHA-256 over Web Crypto, for every layer: the Worker, gpu-jobs/ and Node tools.
 * Web Crypto only (no node:crypto), so the same code runs in workerd and in Node.
 */

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `prefix` and `length` random base62 characters (~5.95 bits each). */
export function randomId(prefix: string, length = 20): string {
  return prefix + [...crypto.getRandomValues(new Uint8Array(length))].map((b) => BASE62[b % 62]).join("");
}

export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  return [...(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The SHA-256 of the text's UTF-8 bytes, as lowercase hex. */
export async function sha256Hex(text: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/**
 * Compares in time that depends on the length only, never on where the texts differ; false on different
 * lengths (so compare digests, not secrets, when the length itself must not leak).
 */
export function timingSafeEqualText(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  if (left.byteLength !== right.byteLength) return false;
  let difference = 0;
  for (let i = 0; i < left.byteLength; i++) difference |= left[i]! ^ right[i]!;
  return difference === 0;
}

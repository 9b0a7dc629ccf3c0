const KEY_PREFIX = "chk_";

function toHex(bytes: ArrayBuffer): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function base62(bytes: Uint8Array): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  return [...bytes].map((b) => alphabet[b % 62]).join("");
}

/** 32 random characters of base62 (~190 bits), prefixed so leaked keys are easy to grep for. */
export function generateApiKey(): string {
  return KEY_PREFIX + base62(crypto.getRandomValues(new Uint8Array(32)));
}

export function randomId(prefix: string, length = 20): string {
  return prefix + base62(crypto.getRandomValues(new Uint8Array(length)));
}

export async function hashApiKey(key: string): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key)));
}

/** Constant-time comparison of two hex digests (equal length by construction). */
export function digestsEqual(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  if (left.byteLength !== right.byteLength) return false;
  return crypto.subtle.timingSafeEqual(left, right);
}

export const displayPrefix = (key: string) => key.slice(0, KEY_PREFIX.length + 6);

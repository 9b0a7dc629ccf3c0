import { randomId, sha256Hex, timingSafeEqualText } from "../../shared/crypto";

const KEY_PREFIX = "chk_";

/** 32 random characters of base62 (~190 bits), prefixed so leaked keys are easy to grep for. */
export const generateApiKey = (): string => randomId(KEY_PREFIX, 32);

/** SHA-256, hex: keys are 190-bit random, so a fast hash cannot be brute-forced. */
export const hashApiKey = (key: string): Promise<string> => sha256Hex(key);

/** Constant-time comparison of two hex digests. */
export const digestsEqual = timingSafeEqualText;

export const displayPrefix = (key: string) => key.slice(0, KEY_PREFIX.length + 6);

import { env as runtimeEnv, type D1Migration } from "cloudflare:test";
import type { Env } from "../../workers/env";

// Typed here rather than by augmenting Cloudflare.Env, which makes the Durable Object's RPC types circular.
export const env = runtimeEnv as unknown as Env & {
  TEST_MIGRATIONS: D1Migration[];
  TEST_UPSTASH_URL: string;
  TEST_UPSTASH_TOKEN: string;
  TEST_UPSTASH_REDIS_DOWN_URL: string;
  TEST_CLOSED_URL: string;
};

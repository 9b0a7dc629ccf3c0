import type { TestProject } from "vitest/node";
import { freePort } from "../../tools/free-port.ts";
import { startRedisServer } from "../../tools/upstash-rest/redis-server.ts";
import { startUpstashRest } from "../../tools/upstash-rest/server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    upstashUrl: string;
    upstashToken: string;
    /** The REST adapter in front of a Redis port where nothing listens: Redis down behind Upstash. */
    upstashRedisDownUrl: string;
    /** A loopback port where nothing listens: the REST endpoint itself unreachable. */
    closedUrl: string;
  }
}

/** A real redis-server (Debian's) on a free port, fronted by the Upstash REST adapter. */
export default async function setup(project: TestProject) {
  const token = "test-upstash-token";
  const redis = await startRedisServer();
  const rest = await startUpstashRest({ redisPort: redis.port, token });
  const deadRest = await startUpstashRest({ redisPort: await freePort(), token });
  project.provide("upstashUrl", rest.url);
  project.provide("upstashToken", token);
  project.provide("upstashRedisDownUrl", deadRest.url);
  project.provide("closedUrl", `http://127.0.0.1:${await freePort()}`);
  return async () => {
    await rest.close();
    await deadRest.close();
    await redis.stop();
  };
}

/**
 * `npm run upstash-local`: the Upstash REST adapter in front of a redis-server.
 * REDIS_PORT: use a running redis-server on 127.0.0.1 (default: start one on a free port).
 * UPSTASH_LOCAL_PORT (default 8079) and UPSTASH_LOCAL_TOKEN (default "local-dev-token").
 */
import { startRedisServer } from "./redis-server.ts";
import { startUpstashRest } from "./server.ts";

const token = process.env.UPSTASH_LOCAL_TOKEN ?? "local-dev-token";
const redis = process.env.REDIS_PORT ? undefined : await startRedisServer();
const redisPort = Number(process.env.REDIS_PORT ?? redis!.port);
const rest = await startUpstashRest({ redisPort, token, port: Number(process.env.UPSTASH_LOCAL_PORT ?? 8079) });

console.log(`Upstash REST adapter on ${rest.url} -> redis-server 127.0.0.1:${redisPort}`);
console.log(`  UPSTASH_REDIS_REST_URL=${rest.url}`);
console.log(`  UPSTASH_REDIS_REST_TOKEN=${token}`);

const stop = async () => {
  await rest.close();
  await redis?.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);

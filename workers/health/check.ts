import packageJson from "../../package.json";
import type { HealthResponse, ServiceStatus } from "../../shared/schemas/ops";
import type { Env } from "../env";
import { config } from "../config";
import { redisFailingOpen } from "../rate-limit/redis-status";
import { probeVideoGenerator, probeVoiceGenerator, replicateModels } from "./media-probes";
import { probeLlm, probeRedis, probeVectorDatabase } from "./probes";
import { uptimeSeconds } from "./uptime";

const PROBE_TIMEOUT_MS = 2000;
/** Probe results are reused this long, so a flood of health checks cannot flood the dependencies. */
const CACHE_MS = 5000;

type Probed = Pick<HealthResponse, "services"> & { llmEmulator: boolean; checkedAt: string };

// Keyed by the configuration probed, and holding the promise, so concurrent checks share one probe.
const cache = new Map<string, { at: number; result: Promise<Probed> }>();

async function probeAll(env: Env): Promise<Probed> {
  const [llm, vector, voice, video, redis] = await Promise.all([
    probeLlm(env, PROBE_TIMEOUT_MS),
    probeVectorDatabase(env, PROBE_TIMEOUT_MS),
    probeVoiceGenerator(env, PROBE_TIMEOUT_MS),
    probeVideoGenerator(env, PROBE_TIMEOUT_MS),
    probeRedis(env, PROBE_TIMEOUT_MS),
  ]);
  return {
    services: { llm_api: llm.status, vector_database: vector, voice_generator: voice, video_generator: video, redis },
    llmEmulator: llm.emulator,
    checkedAt: new Date().toISOString(),
  };
}

function probedCached(env: Env, now: number): Promise<Probed> {
  // What the probes depend on; kept in this isolate's memory only, like the env it comes from.
  const { llm, embeddings, rateLimit } = config(env);
  const key = JSON.stringify([llm.baseUrl, llm.apiKey, embeddings.baseUrl, embeddings.apiKey, Boolean(env.AI), rateLimit.upstash]);
  const hit = cache.get(key);
  if (hit && now - hit.at < CACHE_MS) return hit.result;
  const result = probeAll(env);
  cache.set(key, { at: now, result });
  return result;
}

/**
 * Overall status: without the LLM no turn can be answered (unhealthy, 503); a failing optional
 * dependency (Redis, whose limiter then fails open, or a media provider) leaves it degraded (200).
 */
function overallStatus(services: HealthResponse["services"], redisOpen: boolean): HealthResponse["status"] {
  if (services.llm_api !== "healthy") return "unhealthy";
  const optional: ServiceStatus[] = [services.redis, services.voice_generator, services.video_generator, services.vector_database];
  return optional.includes("unhealthy") || redisOpen ? "degraded" : "healthy";
}

export async function checkHealth(env: Env): Promise<HealthResponse> {
  const now = Date.now();
  const probed = await probedCached(env, now);
  const { perMinute, upstash } = config(env).rateLimit;
  const redisOpen = upstash !== undefined && redisFailingOpen();
  return {
    status: overallStatus(probed.services, redisOpen),
    timestamp: new Date(now).toISOString(),
    version: packageJson.version,
    uptime_seconds: uptimeSeconds(now),
    services: probed.services,
    // Workers give an isolate no CPU or memory percentages and there is no GPU here: null, not a guess.
    resource_usage: { cpu_percent: null, memory_percent: null, gpu_memory_percent: null },
    details: {
      llm_emulator: probed.llmEmulator,
      rate_limit_store: perMinute === 0 ? "off" : upstash ? "upstash" : "durable-object",
      redis_failing_open: redisOpen,
      media_models: replicateModels(env),
      checked_at: probed.checkedAt,
    },
  };
}

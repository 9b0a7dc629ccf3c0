import { z } from "zod";
import { Timestamp } from "./common";

export const ServiceStatus = z.enum(["healthy", "unhealthy", "not_configured"]);
export type ServiceStatus = z.infer<typeof ServiceStatus>;

const ModelVersion = z.object({
  model: z.string().describe("owner/name on Replicate"),
  version: z.string().nullable().describe("The version id; null for an official model (run by name) or one not resolved yet"),
  source: z.enum(["configured", "pinned", "resolved", "official", "unresolved"]),
  replaces: z.string().optional().describe("The pinned version Replicate refused, which this resolved one stands in for"),
  resolved_at: Timestamp.optional(),
});

export const HealthResponse = z.object({
  status: z.enum(["healthy", "degraded", "unhealthy"]),
  timestamp: Timestamp,
  version: z.string(),
  uptime_seconds: z.number().describe("Seconds since this isolate served its first request"),
  services: z.object({
    llm_api: ServiceStatus,
    vector_database: ServiceStatus,
    voice_generator: ServiceStatus,
    video_generator: ServiceStatus,
    redis: ServiceStatus,
  }),
  resource_usage: z.object({
    cpu_percent: z.number().nullable(),
    memory_percent: z.number().nullable(),
    gpu_memory_percent: z.number().nullable(),
  }),
  details: z
    .object({
      llm_emulator: z.boolean().describe("The LLM is the local emulator (tools/llm-emulator.ts), not a real model"),
      rate_limit_store: z.enum(["upstash", "durable-object", "off"]),
      redis_failing_open: z.boolean().describe("The last Redis call of this isolate failed, so limits are not enforced"),
      media_models: z
        .array(ModelVersion)
        .nullable()
        .describe("The Replicate models and versions the next media jobs run (resolutions are this isolate's); null when Replicate is not the provider"),
      checked_at: Timestamp,
    })
    .describe("Beyond the reference: what the statuses above rest on"),
});
export type HealthResponse = z.infer<typeof HealthResponse>;

export const MetricsQuery = z.object({ format: z.enum(["json", "prometheus"]).optional() });

export const MetricsResponse = z.object({
  requests_total: z.number().int(),
  requests_per_minute: z.number(),
  average_response_time_ms: z.number().nullable(),
  error_rate_percent: z.number().nullable(),
  active_sessions: z.number().int(),
  characters: z.record(z.string(), z.object({ conversations_today: z.number().int(), average_rating: z.number().nullable() })),
  media_generation: z.object({
    voice_requests_today: z.number().int().nullable(),
    video_requests_today: z.number().int().nullable(),
    average_generation_time_seconds: z.number().nullable(),
  }),
});
export type MetricsResponse = z.infer<typeof MetricsResponse>;

import type { Env } from "../../workers/env";
import { cogProvider } from "./cog";
import { replicateProvider } from "./replicate";
import type { GpuProvider } from "./types";

const DEFAULT_TIMEOUT_MS = 15_000;

function modelVersions(env: Env): Record<string, string> | undefined {
  if (!env.REPLICATE_MODEL_VERSIONS) return undefined;
  try {
    return JSON.parse(env.REPLICATE_MODEL_VERSIONS) as Record<string, string>;
  } catch {
    console.error(JSON.stringify({ level: "error", event: "bad_config", name: "REPLICATE_MODEL_VERSIONS", error: "not JSON" }));
    return undefined;
  }
}

/**
 * The configured GPU provider: MEDIA_PROVIDER ("replicate" | "cog") when set, else Replicate when
 * REPLICATE_API_TOKEN is set, else the Cog endpoint at GPU_ENDPOINT_URL, else none (media answers 503).
 */
export function selectProvider(env: Env, name = env.MEDIA_PROVIDER): GpuProvider | undefined {
  const publicBaseUrl = (env.PUBLIC_BASE_URL ?? "http://localhost:8000").replace(/\/+$/, "");
  const timeoutMs = Number(env.GPU_TIMEOUT_MS) || DEFAULT_TIMEOUT_MS;
  const replicate = () =>
    env.REPLICATE_API_TOKEN
      ? replicateProvider({ apiToken: env.REPLICATE_API_TOKEN, baseUrl: env.REPLICATE_BASE_URL, publicBaseUrl, timeoutMs, versions: modelVersions(env) })
      : undefined;
  const cog = () => (env.GPU_ENDPOINT_URL ? cogProvider({ endpointUrl: env.GPU_ENDPOINT_URL, publicBaseUrl, timeoutMs }) : undefined);
  if (name === "replicate") return replicate();
  if (name === "cog") return cog();
  return replicate() ?? cog();
}

import { versionsInUse, type VersionInUse } from "../../gpu-jobs/model-versions";
import { REPLICATE_API } from "../../gpu-jobs/providers/replicate";
import type { ServiceStatus } from "../../shared/schemas/ops";
import { withTimeout } from "../../shared/timeout";
import { config } from "../config";
import type { Env } from "../env";
import { mediaHealth } from "../media/stats";

const unhealthy = (): ServiceStatus => "unhealthy";

/** The GPU provider (Replicate, or the Cog endpoint's /health-check), bounded like every other probe. */
const probeGpuProvider = (env: Env, timeoutMs: number): Promise<ServiceStatus> => withTimeout(mediaHealth(env).catch(unhealthy), timeoutMs, unhealthy);

// One provider serves both kinds of media, so both report its health.
export const probeVoiceGenerator = probeGpuProvider;
export const probeVideoGenerator = probeGpuProvider;

/**
 * The Replicate models and versions the next jobs would run: pinned by the catalogue, configured
 * (REPLICATE_MODEL_VERSIONS), resolved through the models API by this isolate, or official (by name);
 * null when Replicate is not the media provider. From memory, no call: resolutions are per isolate.
 */
export function replicateModels(env: Env): VersionInUse[] | null {
  const { replicate, provider } = config(env).media;
  if (!replicate || provider === "cog") return null;
  return versionsInUse(replicate.baseUrl ?? REPLICATE_API, replicate.versions);
}

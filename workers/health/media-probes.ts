import type { ServiceStatus } from "../../shared/schemas/ops";
import type { Env } from "../env";
import { mediaHealth } from "../media/stats";

/** The GPU provider (Replicate, or the Cog endpoint's /health-check), bounded like every other probe. */
async function probeGpuProvider(env: Env, timeoutMs: number): Promise<ServiceStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<ServiceStatus>((resolve) => (timer = setTimeout(() => resolve("unhealthy"), timeoutMs)));
  try {
    return await Promise.race([mediaHealth(env).catch((): ServiceStatus => "unhealthy"), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// One provider serves both kinds of media, so both report its health.
export const probeVoiceGenerator = probeGpuProvider;
export const probeVideoGenerator = probeGpuProvider;

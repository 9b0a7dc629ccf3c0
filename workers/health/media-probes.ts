import type { ServiceStatus } from "../../shared/schemas/ops";
import { withTimeout } from "../../shared/timeout";
import type { Env } from "../env";
import { mediaHealth } from "../media/stats";

const unhealthy = (): ServiceStatus => "unhealthy";

/** The GPU provider (Replicate, or the Cog endpoint's /health-check), bounded like every other probe. */
const probeGpuProvider = (env: Env, timeoutMs: number): Promise<ServiceStatus> => withTimeout(mediaHealth(env).catch(unhealthy), timeoutMs, unhealthy);

// One provider serves both kinds of media, so both report its health.
export const probeVoiceGenerator = probeGpuProvider;
export const probeVideoGenerator = probeGpuProvider;

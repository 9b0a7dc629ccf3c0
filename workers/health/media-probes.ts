import type { ServiceStatus } from "../../shared/schemas/ops";
import type { Env } from "../env";

/**
 * The GPU provider's status for voice and video. This branch has no media pipeline (the media issue is
 * written in another branch): nothing generates voice or video here, so both are "not_configured".
 * When the media branch lands, replace this file with a probe of its provider (Replicate's account
 * endpoint, or the Cog endpoint's /health-check) under the same short timeout as the other probes.
 */
export async function probeVoiceGenerator(_env: Env, _timeoutMs: number): Promise<ServiceStatus> {
  return "not_configured";
}

export async function probeVideoGenerator(_env: Env, _timeoutMs: number): Promise<ServiceStatus> {
  return "not_configured";
}

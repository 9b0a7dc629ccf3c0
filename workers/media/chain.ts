/** The talking-head chain's second step: the character's avatar driven by the speech that just finished. */
import { talkingHeadCall } from "../../gpu-jobs/models";
import { config } from "../config";
import { getDb } from "../db/client";
import type { MediaRequestRow } from "../db/schema";
import type { Env } from "../env";
import { assetPath, audioKey } from "./assets";
import { failJob } from "./end-job";
import { touchJob } from "./store";
import { submitJob } from "./submit-job";

export async function startTalkingHead(env: Env, job: MediaRequestRow, speech: MediaRequestRow): Promise<void> {
  const base = config(env).publicBaseUrl;
  // The provider's own URL of the speech is fastest to fetch (Replicate keeps it an hour); a data: URI
  // (Cog) would bloat the request, so the GPU fetches our public copy instead.
  const audioUrl = speech.outputUrl ?? `${base}${assetPath(audioKey(speech.assetName))}`;
  const settings = job.settings as { avatar_url?: string; video_model?: string | null };
  const avatar = settings.avatar_url?.startsWith("/") ? `${base}${settings.avatar_url}` : settings.avatar_url;
  if (!avatar) return failJob(env, job.id, "INVALID_REQUEST", "The character has no avatar image to animate", "chain");
  const call = talkingHeadCall(settings.video_model ?? null, avatar, audioUrl);
  await touchJob(getDb(env.DB), job.id, { model: call.model, input: call.input });
  await submitJob(env, job.id);
}

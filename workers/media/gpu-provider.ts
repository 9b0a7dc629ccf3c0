/** The Worker's GPU provider: gpu-jobs' selectGpuProvider with this deployment's configuration. */
import { selectGpuProvider, type GpuProviderOptions } from "../../gpu-jobs/providers/select";
import type { GpuProvider } from "../../gpu-jobs/providers/types";
import { config, type Config } from "../config";
import type { Env } from "../env";
import { log } from "../log";

// A resolved version is news (info); a refused pin needs an operator's look (warn).
const providerLog = (event: string, fields: Record<string, unknown>) => log(event.endsWith("_refused") ? "warn" : "info", event, fields);

export const gpuProviderOptions = (settings: Config): GpuProviderOptions => ({ ...settings.media, publicBaseUrl: settings.publicBaseUrl, log: providerLog });

/** The configured provider, or the one a job was sent to (`name`); undefined when it is not configured. */
export const gpuProvider = (env: Env, name?: GpuProvider["name"]): GpuProvider | undefined => selectGpuProvider(gpuProviderOptions(config(env)), name);

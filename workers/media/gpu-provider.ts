/** The Worker's GPU provider: gpu-jobs' selectGpuProvider with this deployment's configuration. */
import { selectGpuProvider, type GpuProviderOptions } from "../../gpu-jobs/providers/select";
import type { GpuProvider } from "../../gpu-jobs/providers/types";
import { config, type Config } from "../config";
import type { Env } from "../env";

export const gpuProviderOptions = (settings: Config): GpuProviderOptions => ({ ...settings.media, publicBaseUrl: settings.publicBaseUrl });

/** The configured provider, or the one a job was sent to (`name`); undefined when it is not configured. */
export const gpuProvider = (env: Env, name?: GpuProvider["name"]): GpuProvider | undefined => selectGpuProvider(gpuProviderOptions(config(env)), name);

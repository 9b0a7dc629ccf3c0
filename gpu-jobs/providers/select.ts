import { cogProvider } from "./cog";
import { replicateProvider } from "./replicate";
import type { GpuProvider } from "./types";

/** What the providers need, as plain values (the Worker builds them from its configuration). */
export interface GpuProviderOptions {
  replicate?: { apiToken: string; baseUrl?: string; versions?: Record<string, string> };
  cog?: { endpointUrl: string };
  /** Which provider when both are configured. */
  provider?: "replicate" | "cog";
  /** The API's public origin, under which webhook URLs are made. */
  publicBaseUrl: string;
  /** One call to the provider. */
  timeoutMs: number;
  /** Where the providers tell what operators should know (a Replicate version resolved, a pin refused). */
  log?: (event: string, fields: Record<string, unknown>) => void;
}

/**
 * The GPU provider named (or `options.provider`), else Replicate when it is configured, else the Cog
 * endpoint, else none (media answers 503). Not the LLM's provider: that one is chosen in workers/llm/.
 */
export function selectGpuProvider(options: GpuProviderOptions, name = options.provider): GpuProvider | undefined {
  const { publicBaseUrl, timeoutMs, log } = options;
  const replicate = () => (options.replicate ? replicateProvider({ ...options.replicate, publicBaseUrl, timeoutMs, log }) : undefined);
  const cog = () => (options.cog ? cogProvider({ ...options.cog, publicBaseUrl, timeoutMs }) : undefined);
  if (name === "replicate") return replicate();
  if (name === "cog") return cog();
  return replicate() ?? cog();
}

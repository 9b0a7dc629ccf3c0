import Replicate from "replicate";
import { ProviderError, type GpuProvider, type Prediction, type SubmitRequest } from "./types";

export interface ReplicateConfig {
  apiToken: string;
  /** REPLICATE_BASE_URL: https://api.replicate.com/v1 unless overridden (the local emulator). */
  baseUrl?: string;
  publicBaseUrl: string;
  timeoutMs: number;
}

// start for "processing", logs for progress, completed for the result; output events add nothing we use.
const EVENTS = ["start", "logs", "completed"] as const;

const statusOf = (error: unknown) => (error as { response?: Response }).response?.status;

function wrap(error: unknown, what: string): ProviderError {
  const status = statusOf(error);
  const retryable = status === undefined || status === 429 || status >= 500;
  // The client's message quotes the whole response body; keep the status only, never echo headers.
  return new ProviderError(`Replicate ${what} failed${status ? ` (HTTP ${status})` : `: ${(error as Error).name === "TimeoutError" ? "timed out" : "unreachable"}`}`, retryable);
}

/** Replicate through its official client; REPLICATE_BASE_URL points it elsewhere (the local emulator). */
export function replicateProvider(config: ReplicateConfig): GpuProvider {
  const client = new Replicate({
    auth: config.apiToken,
    baseUrl: config.baseUrl,
    // A bound fetch (workerd refuses an unbound one) with a deadline on every call.
    fetch: (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(config.timeoutMs) }),
  });
  return {
    name: "replicate",
    webhookUrl: (jobId) => `${config.publicBaseUrl}/webhooks/replicate/${jobId}`,
    async submit({ call, webhookUrl }: SubmitRequest): Promise<Prediction> {
      try {
        const target = call.version ? { version: `${call.version}` } : { model: call.model };
        return (await client.predictions.create({ ...target, input: call.input, webhook: webhookUrl, webhook_events_filter: [...EVENTS] })) as Prediction;
      } catch (error) {
        throw wrap(error, "prediction create");
      }
    },
    async get(predictionId: string): Promise<Prediction | undefined> {
      try {
        return (await client.predictions.get(predictionId)) as Prediction;
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw wrap(error, "prediction get");
      }
    },
    async cancel(predictionId: string): Promise<void> {
      try {
        await client.predictions.cancel(predictionId);
      } catch (error) {
        throw wrap(error, "prediction cancel");
      }
    },
    async healthy(): Promise<boolean> {
      // A cheap authenticated call: the account behind the token.
      try {
        await client.accounts.current();
        return true;
      } catch {
        return false;
      }
    },
  };
}

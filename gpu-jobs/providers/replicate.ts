import Replicate from "replicate";
import { ProviderError, type GpuProvider, type Prediction, type SubmitRequest } from "./types";

export interface ReplicateConfig {
  apiToken: string;
  /** REPLICATE_BASE_URL: https://api.replicate.com/v1 unless overridden (the local emulator). */
  baseUrl?: string;
  publicBaseUrl: string;
  timeoutMs: number;
  /**
   * Pinned versions by model (REPLICATE_MODEL_VERSIONS, JSON): community models such as
   * jaaari/kokoro-82m or cjwbw/sadtalker only run by version; official ones run by name.
   */
  versions?: Record<string, string>;
}

// start for "processing", logs for progress, completed for the result; output events add nothing we use.
const EVENTS = ["start", "logs", "completed"] as const;

const LOCAL_ERROR = "x-chattr-local-error";
// Pages of 100 predictions searched for a lost create: the account's latest 500.
const FIND_PAGES = 5;

// Key order aside, the same input (for a list without webhook URLs).
const sameInput = (a: unknown, b: unknown) => JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
const sorted = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(sorted)
    : value && typeof value === "object"
      ? Object.fromEntries(
          Object.entries(value)
            .sort(([x], [y]) => x.localeCompare(y))
            .map(([k, v]) => [k, sorted(v)]),
        )
      : value;
const statusOf = (error: unknown) => (error as { response?: Response }).response?.status;

function wrap(error: unknown, what: string): ProviderError {
  const response = (error as { response?: Response }).response;
  const local = response?.headers.get(LOCAL_ERROR);
  if (local || !response) return new ProviderError(`Replicate ${what} failed: ${local ?? "unreachable"}`, true);
  // The client's message quotes the whole response body; keep the status only.
  return new ProviderError(`Replicate ${what} failed (HTTP ${response.status})`, response.status === 429 || response.status >= 500);
}

/**
 * fetch with a deadline, for the client. The client retries a *thrown* error five times with up to 8 s
 * sleeps, even for POST, so a timeout or a refused connection comes back as a 408 marked local instead:
 * the client retries no 408, and our own backoff (submitJob) decides.
 */
const fetchWithDeadline = (timeoutMs: number) => async (input: Request | string, init?: RequestInit) => {
  try {
    return await fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const reason = (error as Error).name === "TimeoutError" ? `timed out after ${timeoutMs} ms` : "unreachable";
    return new Response(null, { status: 408, headers: { [LOCAL_ERROR]: reason } });
  }
};

/** Replicate through its official client; REPLICATE_BASE_URL points it elsewhere (the local emulator). */
export function replicateProvider(config: ReplicateConfig): GpuProvider {
  const client = new Replicate({
    auth: config.apiToken,
    baseUrl: config.baseUrl,
    fetch: fetchWithDeadline(config.timeoutMs),
  });
  return {
    name: "replicate",
    webhookUrl: (jobId) => `${config.publicBaseUrl}/webhooks/replicate/${jobId}`,
    async submit({ call, webhookUrl }: SubmitRequest): Promise<Prediction> {
      try {
        const version = call.version ?? config.versions?.[call.model];
        const target = version ? { version } : { model: call.model };
        return (await client.predictions.create({ ...target, input: call.input, webhook: webhookUrl, webhook_events_filter: [...EVENTS] })) as Prediction;
      } catch (error) {
        throw wrap(error, "prediction create");
      }
    },
    async find(request: SubmitRequest, since: string): Promise<Prediction | undefined> {
      // Replicate has no idempotency key: its list (newest first) is searched for our webhook URL, which
      // names the job, back to the job's creation (a minute's slack for clocks).
      const oldest = Date.parse(since) - 60_000;
      try {
        let pages = 0;
        for await (const page of client.paginate(() => client.predictions.list())) {
          const found = page.find((p) => p.webhook === request.webhookUrl || (p.webhook === undefined && sameInput(p.input, request.call.input)));
          if (found) return found as Prediction;
          // Newest first: once a page reaches back past the job, later pages are older still.
          if (++pages >= FIND_PAGES || page.some((p) => Date.parse(p.created_at) < oldest)) return undefined;
        }
        return undefined;
      } catch (error) {
        throw wrap(error, "prediction list");
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

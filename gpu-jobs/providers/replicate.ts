import Replicate from "replicate";
import { createWithVersion } from "../model-versions";
import { PINNED_VERSIONS } from "../models";
import { ProviderError, type GpuProvider, type Prediction, type SubmitRequest } from "./types";

export interface ReplicateConfig {
  apiToken: string;
  /** REPLICATE_BASE_URL: https://api.replicate.com/v1 unless overridden (the local emulator). */
  baseUrl?: string;
  publicBaseUrl: string;
  timeoutMs: number;
  /**
   * Pinned versions by model (REPLICATE_MODEL_VERSIONS, JSON), over the catalogue's PINNED_VERSIONS:
   * community models such as jaaari/kokoro-82m or cjwbw/sadtalker only run by version.
   */
  versions?: Record<string, string>;
  /** Where a version resolved through the models API (or a pin refused) is told; the Worker logs it. */
  log?: (event: string, fields: Record<string, unknown>) => void;
}

export const REPLICATE_API = "https://api.replicate.com/v1";

// start for "processing", logs for progress, completed for the result; output events add nothing we use.
const EVENTS = ["start", "logs", "completed"] as const;

const LOCAL_ERROR = "x-chattr-local-error";
// Pages of 100 predictions searched for a lost create: the account's latest 500.
const FIND_PAGES = 5;
// Of an error body kept for its message: Replicate's problem details are a few hundred bytes.
const MAX_ERROR_BODY = 4096;
const MAX_DETAIL = 500;

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
const responseOf = (error: unknown) => (error as { response?: Response }).response;
const statusOf = (error: unknown) => responseOf(error)?.status;

/** Replicate's error body (RFC 9457 problem details), e.g. {"title": "Input validation failed", "detail": "- input.voice: ...", "status": 422, "invalid_fields": [...]}. */
interface Problem {
  title?: string;
  detail?: string;
  invalid_fields?: unknown[];
}

// The bodies of failed answers, read by fetchWithDeadline before the client reads them (into its message only).
const errorBodies = new WeakMap<Response, string>();

function problemOf(response: Response): Problem | undefined {
  try {
    const body = JSON.parse(errorBodies.get(response) ?? "");
    return body && typeof body === "object" ? (body as Problem) : undefined;
  } catch {
    return undefined;
  }
}

const isInputProblem = (problem: Problem | undefined) => Array.isArray(problem?.invalid_fields) || problem?.title === "Input validation failed";

/**
 * How Replicate refused a create's version or name: 404 (the model route of a community model, an unknown
 * model) or 422 about the version ("Invalid version or not permitted"). A 422 about the input is not one.
 */
function refusalOf(error: unknown): string | undefined {
  const response = responseOf(error);
  if (!response || (response.status !== 404 && response.status !== 422)) return undefined;
  const problem = problemOf(response);
  if (response.status === 422 && isInputProblem(problem)) return undefined;
  const why = problem?.title ?? problem?.detail;
  return `HTTP ${response.status}${why ? `: ${why.slice(0, MAX_DETAIL)}` : ""}`;
}

function wrap(error: unknown, what: string): ProviderError {
  const response = responseOf(error);
  const local = response?.headers.get(LOCAL_ERROR);
  if (local || !response) return new ProviderError(`Replicate ${what} failed: ${local ?? "unreachable"}`, true);
  // The client's message quotes the whole response body; keep the status only, and for an input Replicate
  // refused, its detail (which names the fields).
  const problem = problemOf(response);
  if (response.status === 422 && isInputProblem(problem)) {
    return new ProviderError(`Replicate ${what} failed (HTTP 422: ${(problem?.detail ?? "input validation failed").trim().slice(0, MAX_DETAIL)})`, false);
  }
  return new ProviderError(`Replicate ${what} failed (HTTP ${response.status})`, response.status === 429 || response.status >= 500);
}

/**
 * fetch with a deadline, for the client. The client retries a *thrown* error five times with up to 8 s
 * sleeps, even for POST, so a timeout or a refused connection comes back as a 408 marked local instead:
 * the client retries no 408, and our own backoff (submitJob) decides. A failed answer's body is kept
 * (errorBodies) for what it says about a refused version or input.
 */
const fetchWithDeadline = (timeoutMs: number) => async (input: Request | string, init?: RequestInit) => {
  let response: Response;
  try {
    response = await fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const reason = (error as Error).name === "TimeoutError" ? `timed out after ${timeoutMs} ms` : "unreachable";
    return new Response(null, { status: 408, headers: { [LOCAL_ERROR]: reason } });
  }
  if (response.status < 400) return response;
  const text = (await response.text().catch(() => "")).slice(0, MAX_ERROR_BODY);
  // The text is already decoded and may be cut: the copy keeps the headers (Retry-After) but not the body's framing.
  const headers = new Headers(response.headers);
  headers.delete("Content-Encoding");
  headers.delete("Content-Length");
  const copy = new Response(text, { status: response.status, statusText: response.statusText, headers });
  errorBodies.set(copy, text);
  return copy;
};

/** Replicate through its official client; REPLICATE_BASE_URL points it elsewhere (the local emulator). */
export function replicateProvider(config: ReplicateConfig): GpuProvider {
  const client = new Replicate({
    auth: config.apiToken,
    baseUrl: config.baseUrl,
    fetch: fetchWithDeadline(config.timeoutMs),
  });
  const api = config.baseUrl ?? REPLICATE_API;
  return {
    name: "replicate",
    webhookUrl: (jobId) => `${config.publicBaseUrl}/webhooks/replicate/${jobId}`,
    async submit({ call, webhookUrl, progressEvents }: SubmitRequest): Promise<Prediction> {
      const events = progressEvents === false ? (["completed"] as const) : EVENTS;
      const options = { input: call.input, webhook: webhookUrl, webhook_events_filter: [...events] };
      const [owner = "", name = ""] = call.model.split("/");
      return createWithVersion({
        api,
        model: call.model,
        pin: call.version ?? config.versions?.[call.model] ?? PINNED_VERSIONS[call.model],
        create: async (target) => (await client.predictions.create({ ...target, ...options })) as Prediction,
        async latestVersion() {
          let found: Awaited<ReturnType<typeof client.models.get>>;
          try {
            found = await client.models.get(owner, name);
          } catch (error) {
            if (statusOf(error) === 404) throw new ProviderError(`Replicate has no model ${call.model} (HTTP 404)`, false);
            throw wrap(error, `lookup of model ${call.model}`);
          }
          if (!found.latest_version?.id) throw new ProviderError(`Replicate lists no version of ${call.model}`, false);
          return found.latest_version.id;
        },
        refusal: refusalOf,
        wrap: (error, asked) => wrap(error, `prediction create for ${asked}`),
        log: config.log ?? (() => {}),
      });
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

import { ProviderError, type GpuProvider, type Prediction, type SubmitRequest } from "./types";

export interface CogConfig {
  /** GPU_ENDPOINT_URL: the Cog server's origin. */
  endpointUrl: string;
  publicBaseUrl: string;
  timeoutMs: number;
}

const EVENTS = ["start", "logs", "completed"];

/**
 * A self-hosted GPU speaking Cog's HTTP prediction API. `PUT /predictions/{id}` with our request id
 * makes a retry after a lost answer idempotent; `Prefer: respond-async` returns at once and the
 * result comes by webhook. Cog keeps no history, so `get` re-PUTs the same id: a running prediction
 * answers its state, a forgotten one starts again.
 */
export function cogProvider(config: CogConfig): GpuProvider {
  const base = config.endpointUrl.replace(/\/+$/, "");
  async function call(path: string, init: RequestInit, what: string): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(config.timeoutMs) });
    } catch (error) {
      throw new ProviderError(`GPU endpoint ${what} failed: ${(error as Error).name === "TimeoutError" ? "timed out" : "unreachable"}`, true);
    }
    if (!response.ok) {
      await response.body?.cancel();
      throw new ProviderError(
        `GPU endpoint ${what} failed (HTTP ${response.status})`,
        response.status === 409 || response.status === 429 || response.status >= 500,
      );
    }
    return response;
  }
  const put = async ({ jobId, call: model, webhookUrl, progressEvents }: SubmitRequest): Promise<Prediction> => {
    const response = await call(
      `/predictions/${encodeURIComponent(jobId)}`,
      {
        method: "PUT",
        headers: { "Content-Type": "application/json", Prefer: "respond-async" },
        body: JSON.stringify({ id: jobId, input: model.input, webhook: webhookUrl, webhook_events_filter: progressEvents === false ? ["completed"] : EVENTS }),
      },
      "prediction",
    );
    const body = (await response.json()) as Partial<Prediction>;
    return { id: jobId, status: body.status ?? "starting", logs: body.logs, output: body.output, error: body.error };
  };
  return {
    name: "cog",
    webhookUrl: (jobId, token) => `${config.publicBaseUrl}/webhooks/cog/${jobId}?token=${token}`,
    submit: put,
    get: (_id, request) => put(request),
    async cancel(predictionId) {
      await call(`/predictions/${encodeURIComponent(predictionId)}/cancel`, { method: "POST" }, "cancel");
    },
    async healthy() {
      try {
        const response = await call("/health-check", {}, "health check");
        const body = (await response.json()) as { status?: string };
        return body.status === "READY" || body.status === "BUSY";
      } catch {
        return false;
      }
    },
  };
}

import type { ModelCall } from "../models";

/** A prediction as every provider reports it, normalised to Replicate's field names. */
export interface Prediction {
  id: string;
  status: string;
  logs?: string | null;
  /** A URL (https: or data:), or a list of them; the first file is the result. */
  output?: unknown;
  error?: string | null;
}

export interface SubmitRequest {
  /** Our request id: Cog uses it as the prediction id, so a retried PUT is idempotent. */
  jobId: string;
  call: ModelCall;
  /** Where the provider posts its webhooks. */
  webhookUrl: string;
  /** false: only the `completed` webhook (a short job whose progress nobody watches: a reply's speech chunk). */
  progressEvents?: boolean;
}

/** One GPU backend. Implementations throw ProviderError for upstream failures. */
export interface GpuProvider {
  readonly name: "replicate" | "cog";
  /** Where webhooks for a job go, under PUBLIC_BASE_URL. */
  webhookUrl(jobId: string, token: string): string;
  submit(request: SubmitRequest): Promise<Prediction>;
  /**
   * The prediction an earlier create of this request made, if any (created since `since`): asked before
   * a create whose outcome is unknown is sent again. Absent where submit is idempotent (Cog's PUT).
   */
  find?(request: SubmitRequest, since: string): Promise<Prediction | undefined>;
  /** The prediction's current state, or undefined when the provider no longer knows it. */
  get(predictionId: string, request: SubmitRequest): Promise<Prediction | undefined>;
  cancel(predictionId: string): Promise<void>;
  healthy(): Promise<boolean>;
}

export class ProviderError extends Error {
  constructor(
    message: string,
    /** false for answers that will not change on retry (e.g. 401, 422). */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export const firstOutputUrl = (output: unknown): string | undefined => {
  if (typeof output === "string") return output;
  if (Array.isArray(output)) return firstOutputUrl(output[0]);
  if (output && typeof output === "object") {
    for (const key of ["audio_out", "video", "audio", "output"]) {
      const value = (output as Record<string, unknown>)[key];
      if (typeof value === "string") return value;
    }
  }
  return undefined;
};

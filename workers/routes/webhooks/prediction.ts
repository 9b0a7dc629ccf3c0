import type { Prediction } from "../../../gpu-jobs/providers/types";
import { ApiError } from "../../api-error";

/** The fields we use from a webhook's prediction body, checked. */
export function asPrediction(payload: unknown): Prediction {
  const p = payload as Record<string, unknown> | null;
  if (!p || typeof p !== "object" || typeof p.id !== "string" || typeof p.status !== "string") {
    throw new ApiError("INVALID_REQUEST", "The webhook body is not a prediction");
  }
  return {
    id: p.id,
    status: p.status,
    logs: typeof p.logs === "string" ? p.logs : null,
    output: p.output,
    error: typeof p.error === "string" ? p.error : p.error == null ? null : JSON.stringify(p.error),
  };
}

import type { Hook } from "@hono/zod-openapi";
import { ApiError } from "../api-error";

/** zod failures become INVALID_REQUEST with each issue's path and message in `details`. */
// biome-ignore lint/suspicious/noExplicitAny: Hono's Hook is generic over every route's env and path; one hook serves them all.
export const validationHook: Hook<unknown, any, any, unknown> = (result) => {
  if (result.success) return;
  const issues = result.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  throw new ApiError("INVALID_REQUEST", `Invalid ${result.target}: ${summary}`, { issues });
};

import { OpenAPIHono } from "@hono/zod-openapi";
import type { ZodType } from "zod";
import { ErrorBody } from "../../shared/schemas/common";
import type { AppEnv } from "../env";
import { validationHook } from "../middleware/validation";

/** A sub-app whose validation failures all become INVALID_REQUEST. */
export const createRouter = () => new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

export const jsonBody = <T extends ZodType>(schema: T, example?: unknown) => ({
  required: true,
  content: { "application/json": { schema, ...(example === undefined ? {} : { example }) } },
});

export const jsonResponse = <T extends ZodType>(schema: T, description: string, example?: unknown) => ({
  description,
  content: { "application/json": { schema, ...(example === undefined ? {} : { example }) } },
});

const error = (description: string) => jsonResponse(ErrorBody, description);

/** The error answers every authenticated route can give, spread into each route's responses. */
export const errorResponses = {
  400: error("INVALID_REQUEST: the request is malformed or fails validation"),
  401: error("UNAUTHORIZED: the API key is missing, invalid or revoked"),
  403: error("FORBIDDEN: the key may not access this resource"),
  404: error("NOT_FOUND"),
  429: error("RATE_LIMIT_EXCEEDED"),
  500: error("INTERNAL_ERROR"),
} as const;

export const unavailableResponse = { 503: error("SERVICE_UNAVAILABLE: an upstream (the LLM) failed or timed out") } as const;
export const conflictResponse = { 409: error("CONFLICT: the resource already exists") } as const;

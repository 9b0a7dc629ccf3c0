import { createRoute } from "@hono/zod-openapi";
import { MediaStatus } from "../../../shared/schemas/media";
import { getDb } from "../../db/client";
import { cancelJob } from "../../media/end-job";
import { statusBody } from "../../media/present";
import { getJob } from "../../media/store";
import { createRouter, errorResponses, jsonResponse } from "../openapi";
import { ownJob, RequestParams } from "./params";

const route = createRoute({
  method: "delete",
  path: "/status/{request_id}",
  summary: "Cancel a media request",
  description:
    "Stops the job at its provider and marks it canceled (with the talking head waiting on it). A finished job stays as it is; the answer is its status either way.",
  request: { params: RequestParams },
  responses: { 200: jsonResponse(MediaStatus, "The request's state after canceling"), ...errorResponses },
});

export const cancelRequest = createRouter().openapi(route, async (c) => {
  const { request_id } = c.req.valid("param");
  const db = getDb(c.env.DB);
  ownJob(await getJob(db, request_id), c.get("caller"), request_id);
  const row = (await cancelJob(c.env, request_id, "cancel"))!;
  return c.json(statusBody(row), 200);
});

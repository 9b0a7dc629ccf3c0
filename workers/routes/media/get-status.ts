import { createRoute } from "@hono/zod-openapi";
import { MediaStatus } from "../../../shared/schemas/media";
import { getDb } from "../../db/client";
import { statusBody } from "../../media/present";
import { getJob } from "../../media/store";
import { createRouter, errorResponses, jsonResponse } from "../openapi";
import { ownJob, RequestParams } from "./params";

const route = createRoute({
  method: "get",
  path: "/status/{request_id}",
  summary: "A media request's status, progress (0-100), and result or error",
  request: { params: RequestParams },
  responses: { 200: jsonResponse(MediaStatus, "The request's state"), ...errorResponses },
});

export const getStatus = createRouter().openapi(route, async (c) => {
  const { request_id } = c.req.valid("param");
  const row = ownJob(await getJob(getDb(c.env.DB), request_id), c.get("caller"), request_id);
  c.header("Cache-Control", "no-store");
  return c.json(statusBody(row), 200);
});

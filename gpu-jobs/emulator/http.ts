/** What both APIs' routes share: the Hono environment on Node, the create body, and a create's answer. */
import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";
import type { CreateBody, Prediction, Predictions } from "./predictions.ts";

export type EmulatorEnv = { Bindings: HttpBindings };

export async function readCreateBody(c: Context<EmulatorEnv>): Promise<CreateBody> {
  const text = await c.req.text();
  return text ? (JSON.parse(text) as CreateBody) : {};
}

/** Creates `p` and answers as its faults say: an outage is 503, a lost answer drops the connection. */
export async function answerCreate(c: Context<EmulatorEnv>, predictions: Predictions, p: Prediction, status: 201 | 202) {
  const outcome = await predictions.create(p);
  if (outcome === "outage") return c.json({ detail: "emulated provider outage" }, 503);
  // Created, but the caller never hears so: what a timeout or a dropped connection looks like.
  if (outcome === "lost") {
    c.env.outgoing.destroy();
    return c.body(null);
  }
  return c.json(predictions.view(p), status);
}

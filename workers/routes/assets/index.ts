import { Hono } from "hono";
import type { AppEnv } from "../../env";
import { getAsset } from "./get-asset";

/** Public files from R2 (not behind the API key). */
export const assetRoutes = new Hono<AppEnv>().route("/", getAsset);

import { createRouter } from "../openapi";
import { health } from "./health";
import { metrics } from "./metrics";

/** Operations: GET /health (public) and GET /metrics (admin). */
export const opsRoutes = createRouter().route("/", health).route("/", metrics);

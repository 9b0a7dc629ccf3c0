import { requireAdmin } from "../../middleware/auth";
import { createRouter } from "../openapi";
import { createKeyRoute } from "./create";
import { listKeysRoute } from "./list";
import { revokeKeyRoute } from "./revoke";

export const keyRoutes = createRouter();
keyRoutes.use(requireAdmin());
keyRoutes.route("/", createKeyRoute).route("/", listKeysRoute).route("/", revokeKeyRoute);

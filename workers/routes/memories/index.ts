import { createRouter } from "../openapi";
import { createMemoryRoute } from "./create";
import { deleteMemoryRoute } from "./delete";
import { listMemoriesRoute } from "./list";
import { updateMemoryRoute } from "./update";

/** /api/v1/memories (CHARACTER-ENGINE.md §3): a key reaches only its own memories; admin every one by id. */
export const memoryRoutes = createRouter();
memoryRoutes.route("/", listMemoriesRoute).route("/", createMemoryRoute).route("/", updateMemoryRoute).route("/", deleteMemoryRoute);

import { forgetCharacters } from "../../db/character-cache";
import { forgetLorebooks } from "../../db/lorebook-cache";
import { createRouter } from "../openapi";
import { createLorebookRoute } from "./create";
import { deleteLorebookRoute } from "./delete";
import { exportLorebookRoute } from "./export";
import { getLorebookRoute } from "./get";
import { listLorebooksRoute } from "./list";
import { replaceLorebookRoute } from "./replace";

/** /api/v1/lorebooks: reading needs the chat scope, writing admin (each write route checks). */
export const lorebookRoutes = createRouter();
// Every write forgets this isolate's cached books. Deleting a lorebook detaches it from characters (a write to the characters table), so this isolate's
// cached characters are forgotten, as the character routes' writes do.
lorebookRoutes.use("*", async (c, next) => {
  try {
    await next();
  } finally {
    if (c.req.method === "DELETE") forgetCharacters();
    if (c.req.method !== "GET") forgetLorebooks();
  }
});
lorebookRoutes
  .route("/", listLorebooksRoute)
  .route("/", createLorebookRoute)
  .route("/", exportLorebookRoute)
  .route("/", getLorebookRoute)
  .route("/", replaceLorebookRoute)
  .route("/", deleteLorebookRoute);

import { forgetCharacters } from "../../db/character-cache";
import { createRouter } from "../openapi";
import { createCharacterRoute } from "./create";
import { deleteCharacterRoute } from "./delete";
import { exportCharacterRoute } from "./export";
import { getCharacterRoute } from "./get";
import { importCharacterRoute } from "./import";
import { listCharactersRoute } from "./list";
import { updateCharacterRoute } from "./update";
import { setVoiceRoute } from "./voice";

export const characterRoutes = createRouter();
// Every write (create, update, import, delete; even one that failed half-way) forgets this isolate's
// cached characters, so the next read here shows it; other isolates see it within CHARACTER_CACHE_MAX_AGE_MS.
characterRoutes.use("*", async (c, next) => {
  try {
    await next();
  } finally {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") forgetCharacters();
  }
});
characterRoutes
  .route("/", listCharactersRoute)
  .route("/", createCharacterRoute)
  .route("/", importCharacterRoute)
  .route("/", exportCharacterRoute)
  .route("/", getCharacterRoute)
  .route("/", updateCharacterRoute)
  .route("/", setVoiceRoute)
  .route("/", deleteCharacterRoute);

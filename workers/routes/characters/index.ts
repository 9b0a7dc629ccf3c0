import { createRouter } from "../openapi";
import { createCharacterRoute } from "./create";
import { deleteCharacterRoute } from "./delete";
import { exportCharacterRoute } from "./export";
import { getCharacterRoute } from "./get";
import { importCharacterRoute } from "./import";
import { listCharactersRoute } from "./list";
import { updateCharacterRoute } from "./update";

export const characterRoutes = createRouter()
  .route("/", listCharactersRoute)
  .route("/", createCharacterRoute)
  .route("/", importCharacterRoute)
  .route("/", exportCharacterRoute)
  .route("/", getCharacterRoute)
  .route("/", updateCharacterRoute)
  .route("/", deleteCharacterRoute);

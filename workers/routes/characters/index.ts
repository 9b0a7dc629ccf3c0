import { createRouter } from "../openapi";
import { createCharacterRoute } from "./create";
import { deleteCharacterRoute } from "./delete";
import { getCharacterRoute } from "./get";
import { listCharactersRoute } from "./list";
import { updateCharacterRoute } from "./update";

export const characterRoutes = createRouter()
  .route("/", listCharactersRoute)
  .route("/", createCharacterRoute)
  .route("/", getCharacterRoute)
  .route("/", updateCharacterRoute)
  .route("/", deleteCharacterRoute);

import { createRouter } from "../openapi";
import { cancelRequest } from "./cancel";
import { generateVideo } from "./generate-video";
import { generateVoice } from "./generate-voice";
import { getStatus } from "./get-status";
import { sessionSettings } from "./session-settings";

export const mediaRoutes = createRouter()
  .route("/", generateVoice)
  .route("/", generateVideo)
  .route("/", getStatus)
  .route("/", cancelRequest)
  .route("/", sessionSettings);

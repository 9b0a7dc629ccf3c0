import { createRouter } from "../openapi";
import { clearHistory } from "./clear-history";
import { getHistory } from "./get-history";
import { sendMessage } from "./send-message";

export const chatRoutes = createRouter().route("/", sendMessage).route("/", getHistory).route("/", clearHistory);

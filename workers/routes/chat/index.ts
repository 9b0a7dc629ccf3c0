import { createRouter } from "../openapi";
import { clearHistory } from "./clear-history";
import { getHistory } from "./get-history";
import { rateMessage } from "./rate-message";
import { sendMessage } from "./send-message";

export const chatRoutes = createRouter().route("/", sendMessage).route("/", getHistory).route("/", clearHistory);
chatRoutes.route("/", rateMessage);

import { createRouter } from "../openapi";
import { clearHistory } from "./clear-history";
import { contextPreview } from "./context-preview";
import { continueMessage } from "./continue-message";
import { deleteMessage } from "./delete-message";
import { editMessage } from "./edit-message";
import { forkSession } from "./fork-session";
import { getHistory } from "./get-history";
import { messageSiblings } from "./message-siblings";
import { rateMessage } from "./rate-message";
import { regenerate } from "./regenerate";
import { selectMessage } from "./select-message";
import { sendMessage } from "./send-message";
import { sessionLorebooks } from "./session-lorebooks";
import { sessionNote } from "./session-note";
import { sessionRoutes } from "./sessions";

export const chatRoutes = createRouter().route("/", sendMessage).route("/", getHistory).route("/", clearHistory);
chatRoutes.route("/", rateMessage);
// The conversation tree (CHARACTER-ENGINE.md §1).
chatRoutes.route("/", regenerate).route("/", editMessage).route("/", continueMessage).route("/", selectMessage);
chatRoutes.route("/", messageSiblings).route("/", deleteMessage).route("/", forkSession);
// Lorebooks and the author's note of a session (CHARACTER-ENGINE.md §2).
chatRoutes.route("/", sessionLorebooks).route("/", sessionNote).route("/", contextPreview);
// Group sessions (CHARACTER-ENGINE.md §5).
chatRoutes.route("/", sessionRoutes);

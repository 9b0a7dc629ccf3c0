import { createRouter } from "../../openapi";
import { createSession } from "./create";
import { getSession } from "./get";
import { setMembers } from "./members";
import { nextSpeaker } from "./next";

/** Group sessions (CHARACTER-ENGINE.md §5): several characters in one conversation. */
export const sessionRoutes = createRouter().route("/", createSession).route("/", getSession).route("/", setMembers).route("/", nextSpeaker);

import type { Env } from "../../env";

/** The Durable Object of a session: one per session_id, wherever the request lands. */
export const sessionStub = (env: Env, sessionId: string) => env.CHAT_SESSION.get(env.CHAT_SESSION.idFromName(sessionId));

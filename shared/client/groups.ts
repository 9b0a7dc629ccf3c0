import type { z } from "zod";
import type { ChatContext, ReplyMediaOption, SpeakerFailure as SpeakerFailureBody, TurnResponse } from "../schemas/chat";
import type { GroupSession, GroupStrategy, SessionMember } from "../schemas/sessions";
import type { StreamEvent } from "./branches.js";
import { streamTurn } from "./branches.js";
import { call, type Transport } from "./http.js";

/** Group sessions over HTTP (CHARACTER-ENGINE.md §5): the calls behind ChatacterClient's group methods. */

export type { GroupSession, GroupStrategy, SessionMember, TurnResponse };
/** A group speaker whose reply failed (the others' replies are kept): `TurnResponse.failed`. */
export type SpeakerFailure = z.output<typeof SpeakerFailureBody>;

/** How a new group session takes turns; every field has the API's default. */
export interface GroupOptions {
  /** Who answers a message: `natural` (default), `list`, `pooled` or `manual`. */
  strategy?: GroupStrategy;
  /** In `natural`, may the last speaker answer itself on `next` (default false)? */
  allowSelfResponses?: boolean;
  /** An empty session of yours to make a group; omitted: a new id. */
  sessionId?: string;
}

/** What `next` takes: who speaks (omitted: the strategy picks), reply media, and the end user (`context.user_id`). */
export interface NextOptions {
  characterId?: string;
  media?: z.input<typeof ReplyMediaOption>;
  context?: ChatContext;
  userId?: string;
}

const SESSIONS = "/api/v1/chat/sessions";
const sessionPath = (sessionId: string, action = "") => `${SESSIONS}/${encodeURIComponent(sessionId)}${action && `/${action}`}`;

function nextBody({ characterId, media, context, userId }: NextOptions) {
  const withUser = userId === undefined ? context : { ...context, user_id: userId };
  return {
    ...(characterId === undefined ? {} : { character_id: characterId }),
    ...(media === undefined ? {} : { media }),
    ...(withUser ? { context: withUser } : {}),
  };
}

export const groupCalls = {
  create: (t: Transport, characterIds: string[], { strategy, allowSelfResponses, sessionId }: GroupOptions = {}): Promise<GroupSession> =>
    call(t, "POST", SESSIONS, {
      character_ids: characterIds,
      ...(strategy === undefined ? {} : { strategy }),
      ...(allowSelfResponses === undefined ? {} : { allow_self_responses: allowSelfResponses }),
      ...(sessionId === undefined ? {} : { session_id: sessionId }),
    }),

  get: (t: Transport, sessionId: string): Promise<GroupSession> => call(t, "GET", sessionPath(sessionId)),

  members: (t: Transport, sessionId: string, characterIds: string[]): Promise<GroupSession> =>
    call(t, "PUT", sessionPath(sessionId, "members"), { character_ids: characterIds }),

  next: (t: Transport, sessionId: string, options: NextOptions = {}): Promise<TurnResponse> =>
    call(t, "POST", sessionPath(sessionId, "next"), nextBody(options)),

  streamNext: (t: Transport, sessionId: string, options: NextOptions = {}): AsyncGenerator<StreamEvent> =>
    streamTurn(t, "POST", sessionPath(sessionId, "next"), { ...nextBody(options), stream: true }),
};

import { getDb } from "../../db/client";
import type { Env } from "../../env";
import { getSessionMedia, putSessionMedia } from "../../media/store";

export interface MediaSwitch {
  voice: boolean;
  video: boolean;
}

/**
 * The session's media switch (PUT /media/sessions/{id}). Every change goes through the session's
 * object, so it keeps the switch in memory after one D1 read and a turn never waits on D1 for it.
 */
export class SessionMediaSwitch {
  private current?: Promise<MediaSwitch>;

  constructor(private readonly env: Env) {}

  get(sessionId: string): Promise<MediaSwitch> {
    this.current ??= getSessionMedia(getDb(this.env.DB), sessionId).then(
      (row) => ({ voice: row?.voice ?? true, video: row?.video ?? true }),
      (error: unknown) => {
        this.current = undefined;
        throw error;
      },
    );
    return this.current;
  }

  async set(sessionId: string, change: Partial<MediaSwitch>): Promise<MediaSwitch> {
    const next = { ...(await this.get(sessionId)), ...change };
    await putSessionMedia(getDb(this.env.DB), sessionId, next);
    this.current = Promise.resolve(next);
    return next;
  }
}

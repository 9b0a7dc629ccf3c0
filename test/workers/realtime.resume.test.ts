import { describe, expect, it, vi } from "vitest";
import { ADMIN_KEY, fullHistory } from "../support/api";
import { connect, ofType, type TestSocket } from "../support/ws";

const chunksOf = (socket: TestSocket) => socket.frames.filter(ofType("response_chunk"));

describe("resuming in auth", () => {
  it("drops the socket at every chunk boundary of one reply and still delivers each chunk once, in order", async () => {
    // The observer stays connected, so the test knows how far the reply got while the reader was away.
    const observer = await connect();
    observer.send({ type: "auth", token: ADMIN_KEY, session_id: "resume-every-chunk" });
    await observer.next(ofType("authenticated"));
    let reader = await connect();
    reader.send({ type: "auth", token: ADMIN_KEY, session_id: "resume-every-chunk" });
    reader.send({ type: "message", content: "resume me at every chunk [[slow:60]]", client_message_id: "c-every" });
    const first = await reader.next(ofType("response_chunk"));
    const seen = [first];
    let response: any;
    // Each reader keeps exactly one new chunk, then drops, and the next one connects only after it
    // missed a chunk: every boundary k gets a reconnect that must replay chunk k + 1.
    while (!response) {
      reader.ws.close(1000, "dropped");
      const last = seen.at(-1)!;
      await vi.waitFor(() => expect(observer.frames.some((f) => f.type === "response" || (f.type === "response_chunk" && f.seq >= last.seq + 2))).toBe(true), {
        timeout: 8000,
        interval: 5,
      });
      reader = await connect();
      reader.send({ type: "auth", token: ADMIN_KEY, session_id: "resume-every-chunk", resume: [{ message_id: first.message_id, last_seq: last.seq }] });
      const next = await reader.next((f) => (f.type === "response_chunk" && f.message_id === first.message_id) || f.type === "response");
      // Nothing at or before the resume point is sent again, and no chunk is skipped.
      expect(chunksOf(reader).every((c) => c.seq > last.seq)).toBe(true);
      if (next.type === "response") response = next;
      else {
        expect(next.seq).toBe(last.seq + 1);
        seen.push(next);
      }
    }
    expect(seen.map((c) => c.seq)).toEqual(seen.map((_, i) => i));
    expect(seen.map((c) => c.delta).join("")).toBe(response.content);
    expect(seen.length).toBeGreaterThan(10);
    reader.ws.close(1000);
    observer.ws.close(1000);
    expect((await fullHistory("resume-every-chunk")).map((m) => m.role)).toEqual(["user", "assistant"]);
  });

  it("sends the replayed chunks before any live one, then authenticated", async () => {
    const writer = await connect();
    writer.send({ type: "auth", token: ADMIN_KEY, session_id: "resume-order" });
    writer.send({ type: "message", content: "keep streaming while I reconnect [[slow:20]]" });
    const chunk = await writer.next((f) => f.type === "response_chunk" && f.seq === 3);

    const reader = await connect();
    reader.send({ type: "auth", token: ADMIN_KEY, session_id: "resume-order", resume: [{ message_id: chunk.message_id, last_seq: 0 }] });
    const response = await reader.next(ofType("response"), 8000);
    const seqs = chunksOf(reader).map((c) => c.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    expect(reader.frames.findIndex(ofType("authenticated"))).toBeGreaterThanOrEqual(3);
    expect([...chunksOf(writer).slice(0, 1), ...chunksOf(reader)].map((c) => c.delta).join("")).toBe(response.content);
    writer.ws.close(1000);
    reader.ws.close(1000);
  });

  it("answers a client_message_id the socket never saw the reply of: its user_message first, or the stored reply", async () => {
    const writer = await connect();
    writer.send({ type: "auth", token: ADMIN_KEY, session_id: "resume-by-client-id" });
    writer.send({ type: "message", content: "did you get this? [[slow:200]]", client_message_id: "c-lost" });
    const chunk = await writer.next((f) => f.type === "response_chunk" && f.seq === 2);

    const live = await connect();
    live.send({ type: "auth", token: ADMIN_KEY, session_id: "resume-by-client-id", resume: [{ client_message_id: "c-lost" }] });
    const response = await live.next(ofType("response"), 8000);
    expect(live.frames[0]).toMatchObject({ type: "user_message", client_message_id: "c-lost", reply_id: chunk.message_id });
    expect(chunksOf(live).map((c) => c.seq)).toEqual(chunksOf(live).map((_, i) => i));
    expect(response.client_message_id).toBe("c-lost");

    const after = await connect();
    after.send({
      type: "auth",
      token: ADMIN_KEY,
      session_id: "resume-by-client-id",
      resume: [{ client_message_id: "c-lost" }, { client_message_id: "c-never-sent" }],
    });
    await after.next(ofType("authenticated"));
    expect(after.frames.map((f) => f.type)).toEqual(["response", "authenticated"]);
    expect(after.frames[0]).toMatchObject({ message_id: response.message_id, client_message_id: "c-lost" });
    for (const s of [writer, live, after]) s.ws.close(1000);
  });

  it("refuses a malformed resume list without authenticating", async () => {
    const socket = await connect();
    socket.send({ type: "auth", token: ADMIN_KEY, session_id: "resume-bad", resume: [{ last_seq: 2 }] });
    const error = await socket.next(ofType("error"));
    expect(error.code).toBe("INVALID_REQUEST");
    expect(error.message).toContain("message_id or client_message_id");
    socket.send({ type: "auth", token: ADMIN_KEY, session_id: "resume-bad", resume: Array.from({ length: 33 }, () => ({ client_message_id: "x" })) });
    expect((await socket.next(ofType("error"))).code).toBe("INVALID_REQUEST");
    expect(socket.frames.some(ofType("authenticated"))).toBe(false);
    socket.ws.close(1000);
  });
});

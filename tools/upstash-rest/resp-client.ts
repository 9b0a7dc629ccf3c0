/**
 * A minimal RESP2 client over one TCP connection: enough to relay Upstash REST commands to a local
 * redis-server with the replies' exact bytes (bulk strings stay Buffers, so base64 encoding is exact).
 * Commands written in one `send` call go out in one write, so MULTI ... EXEC is never interleaved.
 */
import { connect, type Socket } from "node:net";

/** A RESP simple string (`+OK`), kept apart from bulk strings: Upstash leaves "OK" unencoded. */
export class SimpleString {
  readonly value: string;
  constructor(value: string) {
    this.value = value;
  }
}

/** A RESP error reply (`-ERR ...`): a value, not a thrown error, since pipelines return them in place. */
export class ReplyError {
  readonly message: string;
  constructor(message: string) {
    this.message = message;
  }
}

export type Reply = SimpleString | ReplyError | number | Buffer | null | Reply[];

interface Pending {
  resolve(reply: Reply): void;
  reject(error: Error): void;
}

const CRLF = "\r\n";

function encodeCommand(args: (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}${CRLF}`)];
  for (const arg of args) {
    const bytes = Buffer.from(String(arg));
    parts.push(Buffer.from(`$${bytes.length}${CRLF}`), bytes, Buffer.from(CRLF));
  }
  return Buffer.concat(parts);
}

/** Parses one reply at `offset`; undefined when the buffer does not hold a whole reply yet. */
function parseReply(buf: Buffer, offset: number): { reply: Reply; next: number } | undefined {
  const lineEnd = buf.indexOf(CRLF, offset);
  if (lineEnd < 0) return undefined;
  const type = String.fromCharCode(buf[offset]!);
  const line = buf.toString("utf8", offset + 1, lineEnd);
  const after = lineEnd + 2;
  switch (type) {
    case "+":
      return { reply: new SimpleString(line), next: after };
    case "-":
      return { reply: new ReplyError(line), next: after };
    case ":":
      return { reply: Number(line), next: after };
    case "$": {
      const length = Number(line);
      if (length < 0) return { reply: null, next: after };
      if (buf.length < after + length + 2) return undefined;
      return { reply: buf.subarray(after, after + length), next: after + length + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { reply: null, next: after };
      const items: Reply[] = [];
      let next = after;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if (!item) return undefined;
        items.push(item.reply);
        next = item.next;
      }
      return { reply: items, next };
    }
    default:
      throw new Error(`Unexpected RESP type byte ${JSON.stringify(type)}`);
  }
}

export class RespClient {
  private socket: Socket | undefined;
  private buffer = Buffer.alloc(0);
  private pending: Pending[] = [];
  private readonly host: string;
  private readonly port: number;

  // Plain fields rather than parameter properties: Node runs tools/ with type stripping only.
  constructor(host: string, port: number) {
    this.host = host;
    this.port = port;
  }

  /** Sends commands in one write; resolves with their replies in order. */
  async send(commands: (string | number)[][]): Promise<Reply[]> {
    const socket = await this.connection();
    const replies = commands.map(() => new Promise<Reply>((resolve, reject) => this.pending.push({ resolve, reject })));
    socket.write(Buffer.concat(commands.map(encodeCommand)));
    return Promise.all(replies);
  }

  close() {
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connection(): Promise<Socket> {
    if (this.socket && !this.socket.destroyed) return Promise.resolve(this.socket);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      socket.once("connect", () => {
        this.socket = socket;
        resolve(socket);
      });
      socket.on("data", (chunk) => this.onData(chunk));
      socket.on("error", (error) => {
        reject(error);
        this.failAll(error);
      });
      socket.on("close", () => {
        if (this.socket === socket) this.socket = undefined;
        this.failAll(new Error("redis connection closed"));
      });
    });
  }

  private onData(chunk: Buffer) {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let offset = 0;
    for (;;) {
      const parsed = parseReply(this.buffer, offset);
      if (!parsed) break;
      offset = parsed.next;
      this.pending.shift()?.resolve(parsed.reply);
    }
    this.buffer = this.buffer.subarray(offset);
  }

  private failAll(error: Error) {
    const waiting = this.pending;
    this.pending = [];
    this.buffer = Buffer.alloc(0);
    for (const p of waiting) p.reject(error);
  }
}

/**
 * A local endpoint speaking Upstash Redis's REST protocol in front of a real redis-server, so the
 * Upstash code path (@upstash/redis, @upstash/ratelimit) runs against Redis without an Upstash account.
 * Protocol (https://upstash.com/docs/redis/features/restapi):
 *   POST /             body ["SET","k","v"]            -> {"result": ...}
 *   GET|POST /set/k/v  the command in the path          -> {"result": ...}
 *   POST /pipeline     body [["INCR","a"],["GET","a"]] -> [{"result": ...} | {"error": "..."}, ...]
 *   POST /multi-exec   the same, run as MULTI ... EXEC  -> the same shape, or {"error"} if it aborts
 * `Authorization: Bearer <token>` (or `?_token=`); `Upstash-Encoding: base64` encodes every string in
 * the result as base64 except the status reply "OK", which is what @upstash/redis expects to decode.
 * EVAL/EVALSHA: @upstash/ratelimit's scripts start with `#!lua flags=allow-key-locking`, a flag of
 * Upstash's server that open-source Redis refuses; see scripts.ts for how they are relayed.
 * (@humanwhocodes/upstash-redis-server has neither multi-exec nor base64 encoding, hence this adapter.)
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { ReplyError, RespClient, SimpleString, type Reply } from "./resp-client.ts";
import { ScriptTranslator } from "./scripts.ts";

export interface UpstashRestOptions {
  redisHost?: string;
  redisPort: number;
  token: string;
  port?: number;
}

type Command = (string | number)[];

function toJson(reply: Reply, base64: boolean): unknown {
  if (reply instanceof SimpleString) return base64 && reply.value !== "OK" ? Buffer.from(reply.value).toString("base64") : reply.value;
  if (reply instanceof Uint8Array) return Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength).toString(base64 ? "base64" : "utf8");
  if (Array.isArray(reply)) return reply.map((item) => (item instanceof ReplyError ? item.message : toJson(item, base64)));
  if (reply instanceof ReplyError) return reply.message;
  return reply;
}

const entry = (reply: Reply, base64: boolean) => (reply instanceof ReplyError ? { error: reply.message } : { result: toJson(reply, base64) });

const isCommand = (value: unknown): value is Command =>
  Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" || typeof v === "number");

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startUpstashRest(options: UpstashRestOptions) {
  const redis = new RespClient(options.redisHost ?? "127.0.0.1", options.redisPort);
  const scripts = new ScriptTranslator();

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://localhost");
    const presented = req.headers.authorization?.replace(/^Bearer\s+/i, "") ?? url.searchParams.get("_token");
    if (presented !== options.token) return send(res, 401, { error: "Unauthorized" });
    const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
    const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return send(res, 400, { error: "ERR failed to parse request body as JSON" });
    }

    if (segments[0] === "pipeline" || segments[0] === "multi-exec") {
      if (!Array.isArray(body) || body.length === 0 || !body.every(isCommand)) {
        return send(res, 400, { error: "ERR the body must be a non-empty array of commands" });
      }
      const commands = body as Command[];
      const relayed = commands.map((command) => scripts.translate(command));
      if (segments[0] === "pipeline") {
        const replies = await redis.send(relayed);
        return send(
          res,
          200,
          replies.map((r, i) => entry(scripts.reply(commands[i]!, r), base64)),
        );
      }
      const replies = await redis.send([["MULTI"], ...relayed, ["EXEC"]]);
      const exec = replies[replies.length - 1]!;
      if (exec instanceof ReplyError) {
        // EXECABORT: a command failed to queue; report the first queueing error, as Redis does.
        const queued = replies.slice(1, -1).find((r) => r instanceof ReplyError) as ReplyError | undefined;
        return send(res, 400, { error: queued?.message ?? exec.message });
      }
      if (!Array.isArray(exec)) return send(res, 400, { error: "ERR transaction aborted" });
      return send(
        res,
        200,
        exec.map((r, i) => entry(scripts.reply(commands[i]!, r), base64)),
      );
    }

    const command = segments.length > 0 ? segments : body;
    if (!isCommand(command)) return send(res, 400, { error: "ERR the body must be a command: a JSON array of strings" });
    const [reply] = await redis.send([scripts.translate(command)]);
    if (reply instanceof ReplyError) return send(res, 400, { error: reply.message });
    return send(res, 200, { result: toJson(scripts.reply(command, reply!), base64) });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => send(res, 500, { error: `ERR redis unreachable: ${error.message}` }));
  });
  // Longer than a client's idle keep-alive, so the server never closes a connection a request is racing
  // onto (Node's default of 5 s does, and workerd then reports "Network connection lost").
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        redis.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

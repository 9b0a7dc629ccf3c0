/**
 * Relays Lua scripts written for Upstash to open-source Redis.
 *
 * @upstash/ratelimit's scripts begin `#!lua flags=allow-key-locking`; Redis 7 rejects the unknown
 * flag, so the shebang loses it before the script reaches Redis. The client names scripts by the
 * SHA-1 of the text it knows (EVALSHA), which is not the SHA-1 Redis computed of the edited text, so
 * the adapter remembers client SHA -> Redis SHA for every script it relayed. An EVALSHA for a script
 * it never saw goes through unchanged and earns the usual NOSCRIPT, after which the client sends EVAL.
 */
import { createHash } from "node:crypto";

type Command = (string | number)[];

const UPSTASH_ONLY_FLAGS = new Set(["allow-key-locking"]);

const sha1 = (text: string) => createHash("sha1").update(text).digest("hex");

function withoutUpstashFlags(script: string): string {
  const match = script.match(/^#!lua flags=([^\n]*)/);
  if (!match) return script;
  const kept = match[1]!
    .split(",")
    .map((f) => f.trim())
    .filter((f) => f && !UPSTASH_ONLY_FLAGS.has(f));
  const shebang = kept.length ? `#!lua flags=${kept.join(",")}` : "#!lua";
  return shebang + script.slice(match[0].length);
}

export class ScriptTranslator {
  private readonly shas = new Map<string, string>();

  /** The reply the client expects: SCRIPT LOAD answers with the SHA of the text the client sent. */
  reply<T>(command: Command, reply: T): T | Buffer {
    const isLoad = String(command[0]).toUpperCase() === "SCRIPT" && String(command[1]).toUpperCase() === "LOAD";
    if (!isLoad || typeof command[2] !== "string" || !Buffer.isBuffer(reply)) return reply;
    const sha = sha1(command[2]);
    return this.shas.has(sha) ? Buffer.from(sha) : reply;
  }

  translate(command: Command): Command {
    const name = String(command[0]).toUpperCase();
    if ((name === "EVAL" || name === "EVAL_RO") && typeof command[1] === "string") {
      const script = withoutUpstashFlags(command[1]);
      if (script !== command[1]) this.shas.set(sha1(command[1]), sha1(script));
      return [command[0]!, script, ...command.slice(2)];
    }
    if ((name === "EVALSHA" || name === "EVALSHA_RO") && command[1] !== undefined) {
      const mapped = this.shas.get(String(command[1]).toLowerCase());
      return mapped ? [command[0]!, mapped, ...command.slice(2)] : command;
    }
    if (name === "SCRIPT" && String(command[1]).toUpperCase() === "LOAD" && typeof command[2] === "string") {
      const script = withoutUpstashFlags(command[2]);
      if (script !== command[2]) this.shas.set(sha1(command[2]), sha1(script));
      return [command[0]!, command[1]!, script];
    }
    return command;
  }
}

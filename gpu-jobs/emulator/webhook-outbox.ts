/**
 * The emulator's webhooks: signed like Replicate's (webhook-id, webhook-timestamp, webhook-signature:
 * HMAC-SHA256 keyed by the whsec_ secret) or carrying Cog's bearer token, kept in an outbox that tests
 * read (GET /__emulator/webhooks?after=N), and posted to their URLs when `deliver` is on; as Replicate
 * does, a `completed` event that fails is sent again, 3 times at most.
 */
import { Webhook } from "standardwebhooks";
import { sleep } from "../../shared/sleep.ts";

export interface OutboxEntry {
  seq: number;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface WebhookOutboxOptions {
  /** whsec_... secret that signs Replicate-style webhooks. */
  webhookSecret: string;
  /** Bearer token on Cog-style webhooks (Cog's WEBHOOK_AUTH_TOKEN). */
  cogWebhookToken?: string;
  /** POST webhooks to their URLs (npm start); off in tests, which read the outbox. */
  deliver?: boolean;
  log: (line: string) => void;
}

// The outbox keeps the latest webhooks only: a long `npm start` must not grow it without end.
const KEEP = 5000;
const RETRY_DELAYS_MS = [250, 1000, 4000];

export class WebhookOutbox {
  /** Oldest first; handed out as it is (RunningGpuEmulator.outbox). */
  readonly entries: OutboxEntry[] = [];
  private seq = 0;
  private readonly signer: Webhook;
  private readonly options: WebhookOutboxOptions;

  constructor(options: WebhookOutboxOptions) {
    this.options = options;
    this.signer = new Webhook(options.webhookSecret);
  }

  /** Webhooks after sequence number `seq`. */
  after(seq: number): OutboxEntry[] {
    return this.entries.filter((entry) => entry.seq > seq);
  }

  /** Signs (Replicate) or authorizes (Cog) `body` for `url`, keeps it, and delivers it when asked to. */
  post(api: "replicate" | "cog", url: string, body: string, label: string): void {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (api === "replicate") {
      const id = `msg_${crypto.randomUUID().replaceAll("-", "")}`;
      const now = new Date();
      headers["webhook-id"] = id;
      headers["webhook-timestamp"] = String(Math.floor(now.getTime() / 1000));
      headers["webhook-signature"] = this.signer.sign(id, now, body);
    } else if (this.options.cogWebhookToken) {
      headers.Authorization = `Bearer ${this.options.cogWebhookToken}`;
    }
    this.entries.push({ seq: ++this.seq, url, headers, body });
    if (this.entries.length > KEEP) this.entries.shift();
    if (this.options.deliver) void this.deliver(url, headers, body, label);
  }

  // As Replicate does, a `completed` event that fails (5xx, or no answer) is sent again, a few times, later each time.
  private async deliver(url: string, headers: Record<string, string>, body: string, label: string): Promise<void> {
    const retries = label.startsWith("completed") ? RETRY_DELAYS_MS : [];
    for (let attempt = 0; ; attempt++) {
      let outcome: string;
      try {
        const response = await fetch(url, { method: "POST", headers, body });
        outcome = String(response.status);
        if (response.status < 500) return this.options.log(`webhook ${label} -> ${outcome}`);
      } catch (error) {
        outcome = `failed: ${error}`;
      }
      this.options.log(`webhook ${label} -> ${outcome}`);
      if (attempt >= retries.length) return;
      await sleep(retries[attempt]!);
    }
  }
}

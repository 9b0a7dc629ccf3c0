/**
 * Webhook authentication.
 * Replicate signs like Standard Webhooks: HMAC-SHA256 over `${webhook-id}.${webhook-timestamp}.${body}`
 * keyed by the base64 part of the `whsec_` secret, sent as "v1,<base64>" (several, space-separated,
 * during key rotation). The `standardwebhooks` library checks exactly that, with a 5-minute window on
 * the timestamp either way and a constant-time comparison (which the `replicate` client's own helper
 * lacks). Cog does not sign: its webhooks carry `Authorization: Bearer <WEBHOOK_AUTH_TOKEN>` when the
 * server is configured so, and ours also carry a per-job token in the URL; either must match.
 */
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { sha256Hex, timingSafeEqualText, toHex } from "../shared/crypto";

// Standard Webhooks' tolerance either way (the library checks it again, with the signature).
const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/**
 * What is wrong with a Replicate webhook's signature headers, from the headers alone (missing, or a
 * timestamp outside the window), or undefined: checked before the body is read, which costs memory.
 */
export function replicateHeadersProblem(headers: Headers, nowSeconds = Math.floor(Date.now() / 1000)): string | undefined {
  const missing = ["webhook-id", "webhook-timestamp", "webhook-signature"].filter((name) => !headers.get(name));
  if (missing.length) return `missing ${missing.join(", ")}`;
  const timestamp = Number(headers.get("webhook-timestamp"));
  if (!Number.isInteger(timestamp)) return "the timestamp is not a number of seconds";
  if (Math.abs(nowSeconds - timestamp) > TIMESTAMP_TOLERANCE_SECONDS) return "the timestamp is outside the 5-minute window";
  return undefined;
}

export type Verified = { ok: true; webhookId: string; payload: unknown } | { ok: false; reason: string };

export function verifyReplicateWebhook(secret: string, headers: Headers, body: string): Verified {
  const webhookId = headers.get("webhook-id");
  try {
    const payload = new Webhook(secret).verify(body, {
      "webhook-id": webhookId ?? "",
      "webhook-timestamp": headers.get("webhook-timestamp") ?? "",
      "webhook-signature": headers.get("webhook-signature") ?? "",
    });
    return { ok: true, webhookId: webhookId!, payload };
  } catch (error) {
    // The library's messages name the failed check ("Message timestamp too old", "No matching signature
    // found") and nothing secret.
    return { ok: false, reason: error instanceof WebhookVerificationError ? error.message : "Invalid webhook payload" };
  }
}

/** A fresh per-job token for a Cog webhook URL, and the hash stored for it. */
export async function newJobToken(): Promise<{ token: string; hash: string }> {
  const token = toHex(crypto.getRandomValues(new Uint8Array(24)));
  return { token, hash: await sha256Hex(token) };
}

export async function verifyCogWebhook(options: {
  authorization: string | undefined;
  urlToken: string | undefined;
  configuredToken: string | undefined;
  jobTokenHash: string | null;
}): Promise<boolean> {
  const bearer = options.authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  // Both sides hashed first: equal lengths, and the comparison leaks nothing about the secret.
  if (bearer && options.configuredToken && timingSafeEqualText(await sha256Hex(bearer), await sha256Hex(options.configuredToken))) return true;
  if (options.urlToken && options.jobTokenHash && timingSafeEqualText(await sha256Hex(options.urlToken), options.jobTokenHash)) return true;
  return false;
}

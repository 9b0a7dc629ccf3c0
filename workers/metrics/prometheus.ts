import type { MetricsResponse } from "../../shared/schemas/ops";

/** The same figures in the Prometheus text exposition format (version 0.0.4). Nulls are left out. */
export function toPrometheus(m: MetricsResponse): string {
  const lines: string[] = [];
  const metric = (name: string, type: "counter" | "gauge", help: string, samples: [string, number | null][]) => {
    const present = samples.filter(([, v]) => v !== null) as [string, number][];
    if (present.length === 0) return;
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of present) lines.push(`${name}${labels} ${value}`);
  };
  const label = (id: string) => `{character="${id.replace(/["\\\n]/g, "_")}"}`;
  const chars = Object.entries(m.characters);

  metric("chattr_requests_total", "counter", "HTTP requests answered.", [["", m.requests_total]]);
  metric("chattr_requests_per_minute", "gauge", "Requests answered in the last 60 seconds.", [["", m.requests_per_minute]]);
  metric("chattr_average_response_time_ms", "gauge", "Mean response time of all counted requests, in milliseconds.", [["", m.average_response_time_ms]]);
  metric("chattr_error_rate_percent", "gauge", "Share of counted requests answered with a 5xx status, in percent.", [["", m.error_rate_percent]]);
  metric("chattr_active_sessions", "gauge", "Sessions with a message in the last 15 minutes.", [["", m.active_sessions]]);
  metric(
    "chattr_character_conversations_today",
    "gauge",
    "Conversations with a message today (UTC), per character.",
    chars.map(([id, c]) => [label(id), c.conversations_today]),
  );
  metric(
    "chattr_character_average_rating",
    "gauge",
    "Mean rating (1-5) of the character's replies.",
    chars.map(([id, c]) => [label(id), c.average_rating]),
  );
  metric("chattr_voice_requests_today", "gauge", "Voice generation requests today (UTC).", [["", m.media_generation.voice_requests_today]]);
  metric("chattr_video_requests_today", "gauge", "Video generation requests today (UTC).", [["", m.media_generation.video_requests_today]]);
  metric("chattr_media_average_generation_time_seconds", "gauge", "Mean generation time of completed media jobs.", [
    ["", m.media_generation.average_generation_time_seconds],
  ]);
  return `${lines.join("\n")}\n`;
}

// Structured logs: one JSON line per event, so CloudWatch Logs Insights can filter on fields.
// Callers pass identifiers, reasons and timings only — never header values or bodies, which may
// hold credentials or personal data.

export type LogLevel = "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | string[] | undefined>;

export function log(level: LogLevel, event: string, fields: LogFields = {}): void {
  const line = JSON.stringify({ level, event, ...fields });
  // console.error lets the Lambda runtime tag warnings and errors with the ERROR level.
  if (level === "info") console.log(line);
  else console.error(line);
}

/** The `action` field of a line about a request the node did not judge: what the fail policy did. */
export const failAction = (failOpen: boolean): "pass" | "fail_closed" => (failOpen ? "pass" : "fail_closed");

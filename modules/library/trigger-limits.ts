// Lambda@Edge limits per trigger, read the safe way (docs/facts.md: viewer triggers
// 128 MB and 5 s; origin triggers up to 10,240 MB and 30 s; generated responses 40 KB viewer,
// 1 MB origin, headers included; the include-body copy is cut at the same sizes). The one place
// tools/ (the local edge) takes them from; the byte limits come from the handlers, which enforce
// them themselves and must stay free of imports.
import { sizeLimit } from "../../handlers/block-response";
import { PROBE_TIMEOUT_MS } from "../../handlers/inspect";
import { SETTINGS } from "../../handlers/settings";

/** What Lambda@Edge allows a function of one trigger (viewer or origin). */
export interface TriggerLimits {
  /** Largest memory size in MB. */
  readonly maxMemoryMb: number;
  /** Largest function timeout in seconds. */
  readonly maxTimeoutSeconds: number;
  /**
   * Body bytes CloudFront exchanges with a function: the include-body copy it gives, and the
   * largest generated response it accepts (status line and headers included).
   */
  readonly maxBodyBytes: number;
  /**
   * Largest blocking page body in bytes: the generated-response limit less room for the status
   * line and headers. A multiple of 3, so Terraform can check it as a base64 length.
   */
  readonly maxBlockPageBytes: number;
}

/** Lambda@Edge limits per trigger, as the constructs and the modules check them. */
export const TRIGGER_LIMITS: Readonly<Record<"viewer" | "origin", TriggerLimits>> = {
  viewer: { maxMemoryMb: 128, maxTimeoutSeconds: 5, maxBodyBytes: sizeLimit("viewer-request"), maxBlockPageBytes: 39_000 },
  origin: { maxMemoryMb: 10_240, maxTimeoutSeconds: 30, maxBodyBytes: sizeLimit("origin-request"), maxBlockPageBytes: 1_047_000 },
};

/**
 * Room the function keeps after node_timeout_ms: the liveness probe that tells a refused request
 * from a node that is down (PROBE_TIMEOUT_MS), and the answer after it. From the settings table.
 */
export const NODE_TIMEOUT_HEADROOM_MS = SETTINGS.node_timeout_ms.functionTimeoutHeadroomMs;

/** Length of the base64 encoding of `bytes` bytes (bytes a multiple of 3). */
export const base64Length = (bytes: number): number => (bytes / 3) * 4;

/** Smallest memory a Lambda function takes, in MB (the viewer trigger's only size). */
export const MIN_MEMORY_MB = 128;

/** Node.js runtimes the functions are tested on, the default first. */
export const RUNTIMES = ["nodejs22.x", "nodejs20.x"] as const;

const thousands = (n: number) => n.toLocaleString("en-US");
/** A size CloudFront states in KB or MB (binary units), as its documentation writes it. */
const size = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MB` : `${bytes / 1024} KB`);

/** The limits as README prose quotes them: `{{viewer.memory}}` and so on in intro.md. */
export const LIMIT_FACTS: Readonly<Record<string, string | number>> = {
  ...Object.fromEntries(
    Object.entries(TRIGGER_LIMITS).flatMap(([trigger, limits]) => [
      [`${trigger}.memory`, thousands(limits.maxMemoryMb)],
      [`${trigger}.timeout`, limits.maxTimeoutSeconds],
      [`${trigger}.body`, size(limits.maxBodyBytes)],
      [`${trigger}.block_page`, thousands(limits.maxBlockPageBytes)],
    ]),
  ),
  min_memory: MIN_MEMORY_MB,
  node_timeout_headroom_ms: NODE_TIMEOUT_HEADROOM_MS,
  probe_timeout_ms: PROBE_TIMEOUT_MS,
  runtimes: RUNTIMES.map((runtime, i) => (i === 0 ? `\`${runtime}\` (default)` : `\`${runtime}\``)).join(" or "),
};

// The handler configuration schema: `config.json` beside the bundle in the Lambda zip.
// Keys are the lambda-edge module's variable names, so a reader can go from a Terraform
// variable to the setting it controls without a mapping table.

export type WallarmMode = "inline" | "async";

export interface HandlerConfig {
  /** Node base URL; its path (if any) prefixes every forwarded URI. */
  wallarm_node_url: string;
  /** inline: wait for the verdict and block on 403. async: send a copy, never wait. */
  wallarm_mode: WallarmMode;
  /** How long the request function waits for the node before failing open or closed. */
  node_timeout_ms: number;
  /** When the node cannot give a verdict: true passes the request, false answers 503. */
  fail_open: boolean;
  /** Status of the generated blocking response (400-599). */
  block_status_code: number;
  /** Body of the blocking response; null selects the built-in page. */
  block_page_body: string | null;
  /** Content type of the blocking response. */
  block_page_content_type: string;
  /** PEM CA certificate(s) trusted for the node in addition to the public roots. */
  node_ca_pem: string | null;
}

/** Values taken when a key is absent from config.json. */
export const CONFIG_DEFAULTS: Omit<HandlerConfig, "wallarm_node_url"> = {
  wallarm_mode: "inline",
  node_timeout_ms: 1000,
  fail_open: true,
  block_status_code: 403,
  block_page_body: null,
  block_page_content_type: "text/html; charset=utf-8",
  node_ca_pem: null,
};

/** Every key of config.json, in the order the lambda-edge module writes them. */
export const CONFIG_KEYS: ReadonlyArray<keyof HandlerConfig> = [
  "wallarm_node_url",
  "wallarm_mode",
  "node_timeout_ms",
  "fail_open",
  "block_status_code",
  "block_page_body",
  "block_page_content_type",
  "node_ca_pem",
];

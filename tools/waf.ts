// A real WAF as a stand-in Wallarm node: nginx + ModSecurity v3 + OWASP CRS (Debian packages),
// started as a foreground nginx with its own prefix in a temp dir, on a loopback port.
// Normal requests of any method get `200 ok`; requests CRS blocks get 403.
import { ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const NGINX = "/usr/sbin/nginx";
const MODULES_DIR = "/usr/share/nginx/modules";
const CRS_RULES_DIR = "/usr/share/modsecurity-crs/rules";
const CRS_SETUP = "/etc/modsecurity/crs/crs-setup.conf";
const CRS_BEFORE = "/etc/modsecurity/crs/REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf";
const CRS_AFTER = "/etc/modsecurity/crs/RESPONSE-999-EXCLUSION-RULES-AFTER-CRS.conf";
const MODULES = ["ndk_http_module.so", "ngx_http_echo_module.so", "ngx_http_modsecurity_module.so"];

export interface WafAccessEntry {
  method: string;
  uri: string;
  status: number;
  requestId: string;
  mode: string;
  bodyBytes: number;
}

export interface Waf {
  url: string;
  port: number;
  /** error log + ModSecurity audit log + access log, for test failure messages. */
  logs(): string;
  /** Parsed access log: one entry per request nginx finished. */
  accessLog(): WafAccessEntry[];
  stop(): Promise<void>;
}

/** Which of the required binaries, modules and rule files are missing on this machine. */
export function wafAvailable(): { ok: boolean; missing: string[] } {
  const required = [NGINX, ...MODULES.map((m) => join(MODULES_DIR, m)), CRS_RULES_DIR, CRS_SETUP];
  const missing = required.filter((p) => !existsSync(p));
  return { ok: missing.length === 0, missing };
}

export async function startWaf(opts: { port?: number } = {}): Promise<Waf> {
  const { ok, missing } = wafAvailable();
  if (!ok) throw new Error(`WAF not available, missing: ${missing.join(", ")}`);
  const dir = mkdtempSync(join(tmpdir(), "waf-"));
  try {
    for (let attempt = 1; ; attempt++) {
      const port = opts.port ?? (await freePort());
      writeConfig(dir, port);
      const child = spawn(NGINX, ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", join(dir, "error.log")], {
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
      const started = await waitUntilListening(child, port);
      if (started) return handle(dir, port, child);
      const log = readIfExists(join(dir, "error.log")) + stderr;
      // Another process may grab the port between our probe and nginx's bind: pick another.
      if (opts.port === undefined && attempt < 5 && /Address already in use/.test(log)) continue;
      throw new Error(`nginx did not start:\n${log}`);
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

function handle(dir: string, port: number, child: ChildProcess): Waf {
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    logs: () => ["error.log", "modsec_audit.log", "access.log"].map((f) => `==> ${f} <==\n${readIfExists(join(dir, f))}`).join("\n"),
    accessLog: () =>
      readIfExists(join(dir, "access.log"))
        .split("\n")
        .filter(Boolean)
        .map((line) => {
          const [method, uri, status, requestId, mode, bodyBytes] = line.split("\t");
          return { method, uri, status: Number(status), requestId, mode, bodyBytes: Number(bodyBytes) };
        }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM"); // fast shutdown of master and workers
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function writeConfig(dir: string, port: number): void {
  for (const sub of ["tmp", "body"]) mkdirSync(join(dir, sub), { recursive: true });
  const tmp = join(dir, "tmp");
  const loads = MODULES.map((m) => `load_module ${join(MODULES_DIR, m)};`).join("\n");
  writeFileSync(
    join(dir, "nginx.conf"),
    `${loads}
daemon off;
worker_processes 2;
pid ${join(dir, "nginx.pid")};
error_log ${join(dir, "error.log")} notice;
events { worker_connections 256; }
http {
  log_format tsv '$request_method\\t$request_uri\\t$status\\t$http_x_wallarm_request_id\\t$http_x_wallarm_mode\\t$content_length';
  access_log ${join(dir, "access.log")} tsv;
  client_body_temp_path ${join(dir, "body")};
  proxy_temp_path ${tmp};
  fastcgi_temp_path ${tmp};
  uwsgi_temp_path ${tmp};
  scgi_temp_path ${tmp};
  client_max_body_size 2m;
  client_body_buffer_size 2m;
  keepalive_timeout 75s;
  modsecurity on;
  modsecurity_rules_file ${join(dir, "modsecurity.conf")};
  server {
    listen 127.0.0.1:${port};
    location / {
      # Not 'return': it answers before ModSecurity runs. echo reads the body, so the
      # request-body phase is inspected too.
      echo_read_request_body;
      echo ok;
    }
  }
}
`,
  );
  writeFileSync(
    join(dir, "modsecurity.conf"),
    `SecRuleEngine On
SecRequestBodyAccess On
SecRequestBodyLimit 2097152
SecRequestBodyNoFilesLimit 1048576
SecRequestBodyLimitAction ProcessPartial
SecRule REQUEST_HEADERS:Content-Type "^application/json" "id:200001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
SecRule REQUEST_HEADERS:Content-Type "^(?:application(?:/soap\\+|/)|text/)xml" "id:200000,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"
SecResponseBodyAccess Off
SecTmpDir ${tmp}
SecDataDir ${tmp}
SecAuditEngine RelevantOnly
SecAuditLogRelevantStatus "^(?:5|4(?!04))"
SecAuditLogParts ABHZ
SecAuditLogType Serial
SecAuditLog ${join(dir, "modsec_audit.log")}
SecArgumentSeparator &
SecCookieFormat 0
# Any method and plain bodies are "normal" for the stand-in node (CRS's defaults reject PUT,
# PATCH, DELETE and text/plain or octet-stream bodies); attacks are still scored as usual.
SecAction "id:900200,phase:1,nolog,pass,t:none,setvar:'tx.allowed_methods=GET HEAD POST OPTIONS PUT PATCH DELETE'"
SecAction "id:900220,phase:1,nolog,pass,t:none,setvar:'tx.allowed_request_content_type=|application/x-www-form-urlencoded| |multipart/form-data| |multipart/related| |text/xml| |application/xml| |application/soap+xml| |application/json| |text/plain| |application/octet-stream|'"
Include ${CRS_SETUP}
${existsSync(CRS_BEFORE) ? `Include ${CRS_BEFORE}` : ""}
Include ${CRS_RULES_DIR}/*.conf
${existsSync(CRS_AFTER) ? `Include ${CRS_AFTER}` : ""}
`,
  );
}

/** nginx cannot listen on port 0: let the kernel pick a free port, release it, hand it over. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls the port until nginx accepts connections (true) or exits (false). */
async function waitUntilListening(child: ChildProcess, port: number): Promise<boolean> {
  const exited = new Promise<false>((resolve) => child.once("exit", () => resolve(false)));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    const up = await Promise.race([canConnect(port), exited]);
    if (up) return true;
    if (child.exitCode !== null) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  child.kill("SIGKILL");
  return false;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

function readIfExists(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

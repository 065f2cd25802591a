// moto_server (an AWS API emulator) on 127.0.0.1 for tests that apply the modules: started on
// a free port, reset between cases, and read back with plain HTTP calls (the AWS SDK is not a
// dependency). A recording proxy in front of it keeps what the aws provider sent, for what moto
// does not keep (CloudFront's Lambda@Edge associations).
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer as createHttpServer, request as httpRequest, type Server } from "node:http";
import { createServer as createNetServer, type AddressInfo } from "node:net";

export function motoBinary(): string | undefined {
  const found = spawnSync("sh", ["-c", "command -v moto_server"], { encoding: "utf8" });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP exchange with 127.0.0.1 (never anywhere else). */
export function http(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<HttpAnswer> {
  const target = new URL(url);
  if (target.hostname !== "127.0.0.1") throw new Error(`${url} is not on 127.0.0.1`);
  return new Promise((resolve, reject) => {
    const req = httpRequest(target, { method: options.method ?? "GET", headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(options.body);
  });
}

/** An Authorization header moto routes by (it does not check signatures). */
const authorization = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;

/** A request the aws provider sent, as the proxy saw it. */
export interface SentRequest {
  method: string;
  path: string;
  /** The service the request was signed for (lambda, iam, cloudfront, ...). */
  service: string;
  body: string;
}

export interface Moto {
  readonly url: string;
  /** The recording proxy in front of moto: give this to the provider's endpoints. */
  readonly endpoint: string;
  /** Requests that reached moto through the proxy since the last reset. */
  readonly sent: SentRequest[];
  /** Empties moto (every service) and the recording. */
  reset(): Promise<void>;
  stop(): Promise<void>;
  lambda(path: string): Promise<HttpAnswer>;
  iam(action: string, params?: Record<string, string>): Promise<HttpAnswer>;
  logs(operation: string, body: object): Promise<HttpAnswer>;
  cloudfront(path: string, options?: { method?: string; body?: string; headers?: Record<string, string> }): Promise<HttpAnswer>;
}

export async function startMoto(): Promise<Moto> {
  const binary = motoBinary();
  if (!binary) throw new Error("moto_server is not on the PATH");
  const port = await freePort();
  const child: ChildProcess = spawn(binary, ["-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, MOTO_IAM_LOAD_MANAGED_POLICIES: "false" },
  });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}: ${log}`);
    const answer = await http(`${url}/moto-api/`).catch(() => undefined);
    if (answer?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`moto_server did not answer on ${url}: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  const sent: SentRequest[] = [];
  const proxy: Server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1] ?? "";
      sent.push({ method: req.method ?? "", path: req.url ?? "", service, body: body.toString("utf8") });
      const forward = httpRequest(`${url}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on("error", (error) => {
        res.statusCode = 502;
        res.end(String(error));
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

  const moto: Moto = {
    url,
    endpoint,
    sent,
    async reset() {
      const answer = await http(`${url}/moto-api/reset`, { method: "POST" });
      if (answer.status !== 200) throw new Error(`moto reset: ${answer.status} ${answer.body}`);
      // A distribution is Deployed when first read (the provider still waits its own delay).
      await http(`${url}/moto-api/state-manager/set-transition`, {
        method: "POST",
        body: JSON.stringify({ model_name: "cloudfront::distribution", transition: { progression: "immediate" } }),
      });
      sent.length = 0;
    },
    async stop() {
      await new Promise((resolve) => proxy.close(resolve));
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
    },
    lambda: (path) => http(`${url}/2015-03-31/functions${path}`, { headers: { authorization: authorization("lambda") } }),
    iam: (action, params = {}) =>
      http(`${url}/`, {
        method: "POST",
        headers: { authorization: authorization("iam"), "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ Action: action, Version: "2010-05-08", ...params }).toString(),
      }),
    logs: (operation, body) =>
      http(`${url}/`, {
        method: "POST",
        headers: {
          authorization: authorization("logs"),
          "content-type": "application/x-amz-json-1.1",
          "x-amz-target": `Logs_20140328.${operation}`,
        },
        body: JSON.stringify(body),
      }),
    cloudfront: (path, options = {}) =>
      http(`${url}/2020-05-31${path}`, {
        method: options.method,
        body: options.body,
        headers: { authorization: authorization("cloudfront"), ...options.headers },
      }),
  };
  await moto.reset();
  return moto;
}

/** Text of the first `<tag>` element in `xml`, undefined when there is none. */
export function xmlText(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(xml)?.[1];
}

/** Every `<tag>` element's inner XML. */
export function xmlAll(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => m[1]);
}

export interface SentAssociation {
  eventType: string;
  lambdaArn: string;
  includeBody: boolean;
}

/** The Lambda@Edge associations of the default cache behavior in a DistributionConfig the provider sent, by event type. */
export function sentAssociations(distributionConfigXml: string): SentAssociation[] {
  const behavior = xmlText(distributionConfigXml, "DefaultCacheBehavior") ?? "";
  return xmlAll(xmlText(behavior, "LambdaFunctionAssociations") ?? "", "LambdaFunctionAssociation")
    .map((a) => ({
      eventType: xmlText(a, "EventType") ?? "",
      lambdaArn: xmlText(a, "LambdaFunctionARN") ?? "",
      includeBody: xmlText(a, "IncludeBody") === "true",
    }))
    .sort((a, b) => a.eventType.localeCompare(b.eventType));
}

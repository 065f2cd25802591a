// A small origin for the demo and the tests: records what reached it and answers 200, or the
// status named by a `/status/<code>` path.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface OriginHit {
  method: string;
  /** Request target as received: path and query. */
  target: string;
  rawHeaders: string[];
  body: Buffer;
}

export interface EchoOrigin {
  url: string;
  hits: OriginHit[];
  close(): Promise<void>;
}

export async function startEchoOrigin(): Promise<EchoOrigin> {
  const hits: OriginHit[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      hits.push({ method: req.method ?? "", target: req.url ?? "", rawHeaders: req.rawHeaders, body });
      const status = Number(/^\/status\/([1-5]\d\d)/.exec(req.url ?? "")?.[1] ?? 200);
      const text = `hello from origin: ${req.method} ${req.url} (${body.length} body bytes)\n`;
      res.writeHead(status, { "Content-Type": "text/plain", "Cache-Control": "max-age=60" }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

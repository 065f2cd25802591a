// A stand-in node that records every request byte for byte and answers as the test tells it.
// It parses HTTP/1.1 itself on a raw socket (not node:http) so that header order, casing,
// duplicates and framing reach the test exactly as they were on the wire, and so it can answer
// with resets, garbage or silence.
import { createServer as createTcpServer, Server, Socket } from "node:net";
import { createServer as createTlsServer, TLSSocket } from "node:tls";
import { requestLog } from "./request-log";

export type Behaviour =
  /** An HTTP answer; the default is `{ kind: "status", status: 200 }`. */
  | { kind: "status"; status: number; body?: string; delayMs?: number }
  /** Destroy the connection instead of answering (a TCP RST; over TLS a close). */
  | { kind: "reset"; delayMs?: number }
  /** Bytes that are not HTTP, then close. */
  | { kind: "garbage"; bytes?: string; delayMs?: number }
  /** Never answer (the connection stays open until the client gives up or stop()). */
  | { kind: "hang" }
  /**
   * These bytes (latin1) as they are, each piece a write of its own `gapMs` (default 5) after the
   * one before, so the client reads them apart; then, with `close`, the end of the connection.
   */
  | { kind: "pieces"; pieces: string[]; gapMs?: number; close?: boolean };

export interface RecordedRequest {
  /** Every byte of this request as received: request line, headers, body framing. */
  raw: Buffer;
  method: string;
  target: string;
  httpVersion: string;
  /** Header lines in wire order, names with their original casing. */
  headers: Array<[string, string]>;
  /** The body after de-chunking (equal to the raw body for content-length framing). */
  body: Buffer;
  framing: "content-length" | "chunked" | "none";
  /** Index of the TCP connection (0-based, in accept order) that carried the request. */
  connection: number;
  /** TLS only: whether the connection's handshake resumed an earlier session (a ticket). */
  tlsResumed?: boolean;
}

export interface RecordingNodeOptions {
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
  behaviour?: Behaviour | ((req: RecordedRequest) => Behaviour);
}

export interface RecordingNode {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** Number of TCP (or TLS) connections accepted so far. */
  connections(): number;
  setBehaviour(b: Behaviour | ((req: RecordedRequest) => Behaviour)): void;
  /** Resolves once at least n requests were fully received; rejects after timeoutMs. */
  waitForRequests(n: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  stop(): Promise<void>;
}

const STATUS_TEXT: Record<number, string> = { 200: "OK", 403: "Forbidden", 500: "Internal Server Error", 503: "Service Unavailable" };

export async function startRecordingNode(opts: RecordingNodeOptions = {}): Promise<RecordingNode> {
  let behaviour = opts.behaviour ?? { kind: "status", status: 200 };
  const log = requestLog<RecordedRequest>();
  const { requests } = log;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let accepted = 0;

  const onConnection = (socket: Socket): void => {
    const connection = accepted++;
    const tlsResumed = socket instanceof TLSSocket ? socket.isSessionReused() : undefined;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined); // clients time out and reset on purpose
    let buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const parsed = parseRequest(buffer);
        if (!parsed) return;
        buffer = buffer.subarray(parsed.raw.length);
        const req: RecordedRequest = { ...parsed, connection, ...(tlsResumed === undefined ? {} : { tlsResumed }) };
        log.add(req);
        const b = typeof behaviour === "function" ? behaviour(req) : behaviour;
        answer(socket, b);
      }
    });
  };

  const answer = (socket: Socket, b: Behaviour): void => {
    if (b.kind === "hang") return;
    if (b.kind === "pieces") {
      socket.setNoDelay(true); // each piece its own segment, read apart
      return writePieces(socket, b.pieces, b.gapMs ?? 5, b.close ?? false);
    }
    const act = (): void => {
      if (socket.destroyed) return;
      // A TLS socket cannot send an RST from Node (no TCP handle of its own): it is closed at once.
      if (b.kind === "reset" && socket instanceof TLSSocket) socket.destroy();
      else if (b.kind === "reset") socket.resetAndDestroy();
      else if (b.kind === "garbage") socket.end(b.bytes ?? "\x00\x01garbage, not HTTP\r\n\r\n");
      else {
        const body = b.body ?? (b.status === 200 ? "ok\n" : `${b.status}\n`);
        socket.write(
          `HTTP/1.1 ${b.status} ${STATUS_TEXT[b.status] ?? "Status"}\r\n` +
            `content-type: text/plain\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
      }
    };
    if (!b.delayMs) return act();
    const t = setTimeout(() => (timers.delete(t), act()), b.delayMs);
    timers.add(t);
  };

  const writePieces = (socket: Socket, pieces: string[], gapMs: number, close: boolean): void => {
    if (socket.destroyed) return;
    const [piece, ...rest] = pieces;
    if (piece === undefined) {
      if (close) socket.end();
      return;
    }
    socket.write(Buffer.from(piece, "latin1"));
    const t = setTimeout(() => (timers.delete(t), writePieces(socket, rest, gapMs, close)), gapMs);
    timers.add(t);
  };

  const server: Server = opts.tls ? createTlsServer(opts.tls, onConnection) : createTcpServer(onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;

  return {
    url: `${opts.tls ? "https" : "http"}://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => accepted,
    setBehaviour: (b) => {
      behaviour = b;
    },
    waitForRequests: log.waitFor,
    stop: async () => {
      timers.forEach(clearTimeout);
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

type Parsed = Omit<RecordedRequest, "connection">;

/** Parses one complete HTTP/1.1 request from the start of buf; null if more bytes are needed. */
export function parseRequest(buf: Buffer): Parsed | null {
  const headEnd = buf.indexOf("\r\n\r\n");
  if (headEnd < 0) return null;
  const [requestLine, ...lines] = buf.subarray(0, headEnd).toString("latin1").split("\r\n");
  const [method, target, httpVersion] = requestLine.split(" ");
  const headers = lines.map((line): [string, string] => {
    const colon = line.indexOf(":");
    return [line.slice(0, colon), line.slice(colon + 1).trim()];
  });
  const find = (name: string): string | undefined => headers.find(([k]) => k.toLowerCase() === name)?.[1];
  let pos = headEnd + 4;

  if (/chunked/i.test(find("transfer-encoding") ?? "")) {
    const chunks: Buffer[] = [];
    for (;;) {
      const lineEnd = buf.indexOf("\r\n", pos);
      if (lineEnd < 0) return null;
      const size = parseInt(buf.subarray(pos, lineEnd).toString("latin1"), 16);
      if (size === 0) {
        const end = buf.indexOf("\r\n\r\n", lineEnd); // no trailers expected; skip them if any
        if (end < 0) return null;
        pos = end + 4;
        break;
      }
      if (buf.length < lineEnd + 2 + size + 2) return null;
      chunks.push(buf.subarray(lineEnd + 2, lineEnd + 2 + size));
      pos = lineEnd + 2 + size + 2;
    }
    return {
      raw: Buffer.from(buf.subarray(0, pos)),
      method,
      target,
      httpVersion,
      headers,
      body: Buffer.concat(chunks),
      framing: "chunked",
    };
  }
  const lengthHeader = find("content-length");
  const length = lengthHeader === undefined ? 0 : Number(lengthHeader);
  if (buf.length < pos + length) return null;
  return {
    raw: Buffer.from(buf.subarray(0, pos + length)),
    method,
    target,
    httpVersion,
    headers,
    body: Buffer.from(buf.subarray(pos, pos + length)),
    framing: lengthHeader === undefined ? "none" : "content-length",
  };
}

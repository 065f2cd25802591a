// HTTP/1.1 messages as the node client writes and reads them (RFC 9112), without I/O: a request's
// head as one string, and an answer read chunk by chunk as the socket delivers it. Node's
// http client does the same with a stream, a parser and an object per header per exchange:
// about half the CPU of an inspection. The node's answers are small (status line, a few
// headers, a short body), so this reader is strict: anything it is not sure of is malformed,
// which the in-line function then judges as an answer that is no verdict.
import type { NodeRequest } from "./protocol";
import { codedError } from "./transport";

/** The longest answer head (status line and headers, 1xx ones included) read: Node's default. */
export const MAX_HEAD_BYTES = 16 * 1024;
/** The longest chunk-size line, extensions included; and the longest trailer section. */
const MAX_CHUNK_LINE_BYTES = 1024;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// What a field value may not hold (RFC 9110 section 5.5): controls but tab, DEL, and (in a byte
// string) anything above one byte. The test Node's client makes.
const INVALID_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const TARGET = /^[\x21-\x7e]+$/;

/**
 * The head of `req` on the wire: request line, its headers in order as they are, then
 * `Connection: keep-alive` (what Node's keep-alive client adds). Throws (ERR_INVALID_CHAR) on a
 * method, target or field that would let the request end early or run into another: the
 * protocol never builds one, and no request reaches the node split or merged with another.
 */
export function requestHead(req: NodeRequest): string {
  if (!TOKEN.test(req.method) || !TARGET.test(req.path))
    throw codedError(`invalid request line: ${JSON.stringify(req.method)}`, "ERR_INVALID_CHAR");
  let head = `${req.method} ${req.path} HTTP/1.1\r\n`;
  const headers = req.headers;
  for (let i = 0; i < headers.length; i++) {
    const name = headers[i][0];
    const value = headers[i][1];
    if (!TOKEN.test(name) || INVALID_VALUE.test(value)) throw codedError(`invalid header ${JSON.stringify(name)}`, "ERR_INVALID_CHAR");
    head += `${name}: ${value}\r\n`;
  }
  return `${head}Connection: keep-alive\r\n\r\n`;
}

// The parts of an answer, in the order they arrive.
const enum Part {
  Head,
  /** Body of a known length: `left` bytes to come. */
  Sized,
  /** Chunked body: a chunk-size line next. */
  ChunkLine,
  /** Chunked body: `left` bytes of chunk data, then its CRLF. */
  ChunkData,
  ChunkEnd,
  Trailers,
  /** Body delimited by the connection's close. */
  UntilClose,
  Done,
}

const STATUS_LINE = /^HTTP\/1\.([01]) ([1-9]\d\d)(?: [\t\x20-\x7e\x80-\xff]*)?$/;
const CHUNK_LINE = /^([0-9A-Fa-f]{1,12})[\t ]*(?:;[\t\x20-\x7e\x80-\xff]*)?$/;
const CRLF = Buffer.from("\r\n");
const HEAD_END = Buffer.from("\r\n\r\n");

const malformed = (message: string, code: string): Error & { code: string } => codedError(`node answer: ${message}`, code);
/** Without the OWS (SP, HTAB) around it: trim() would also take 0xA0, a byte a value may hold. */
const ows = (s: string): string => s.replace(/^[\t ]+|[\t ]+$/g, "");
const isBlank = (code: number): boolean => code === 0x20 || code === 0x09;

/**
 * A field line's name and value (without the blanks around it), or undefined when it is not
 * `token ":" value` with a value a field may hold: an obs-fold line, a bare CR or LF, a control.
 * Scanned by hand: cheaper than a regular expression with a lazy group for every line.
 */
function fieldOf(line: string): [name: string, value: string] | undefined {
  const colon = line.indexOf(":");
  if (colon <= 0) return undefined;
  const name = line.slice(0, colon);
  let start = colon + 1;
  let end = line.length;
  while (start < end && isBlank(line.charCodeAt(start))) start++;
  while (end > start && isBlank(line.charCodeAt(end - 1))) end--;
  const value = line.slice(start, end);
  return TOKEN.test(name) && !INVALID_VALUE.test(value) ? [name, value] : undefined;
}

/**
 * Reads one answer to a request sent with `method`, from the chunks the connection delivers, in
 * order. Interim (1xx) answers are skipped. `status` is set once the final head is read (the
 * verdict needs nothing more); the body is read to its end only to know the connection is free
 * again. `error` is set once the bytes break HTTP/1.1 (nothing more is read); a connection with
 * an error, or not `reusable` once `complete`, must be closed.
 */
export class AnswerReader {
  status: number | undefined = undefined;
  complete = false;
  error: (Error & { code: string }) | undefined = undefined;
  /** Whether the connection may carry another request once this answer is complete. */
  reusable = true;
  /** Bytes received so far: none means the node closed or reset before answering anything. */
  received = 0;

  private part = Part.Head;
  private left = 0;
  /** A line not complete yet, as it arrived: copied together only once a chunk may end it. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private headBytes = 0;

  constructor(private readonly method: string) {}

  /** The next bytes from the connection. */
  read(chunk: Buffer): void {
    this.received += chunk.length;
    if (this.error || this.complete) {
      // Bytes after a complete answer belong to no request (this client never pipelines).
      this.reusable = false;
      return;
    }
    let data = chunk;
    if (this.pendingBytes > 0) {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      // No line ends in a chunk without LF: kept as it came (a head dribbled in a byte at a time
      // would otherwise be copied whole once per byte).
      if (this.part !== Part.ChunkEnd && chunk.indexOf(0x0a) < 0) return void this.overLimit(this.pendingBytes);
      data = Buffer.concat(this.pending, this.pendingBytes);
      this.pending = [];
      this.pendingBytes = 0;
    }
    let at = 0;
    while (at < data.length && !this.error && this.part !== Part.Done) {
      const used = this.step(data, at);
      if (used < 0) {
        // A line not complete yet: kept for the next chunk, within its limit.
        const rest = data.length - at;
        if (!this.overLimit(rest)) {
          this.pending.push(at === 0 ? data : data.subarray(at));
          this.pendingBytes = rest;
        }
        return;
      }
      at = used;
    }
    if (this.part === Part.Done) {
      this.complete = true;
      if (at < data.length) this.reusable = false;
    }
  }

  /** The connection ended (closed or reset by the node). */
  end(): void {
    if (this.complete || this.error) return;
    if (this.part === Part.UntilClose) {
      this.part = Part.Done;
      this.complete = true;
      return;
    }
    if (this.status === undefined) {
      this.error = codedError("socket hang up", "ECONNRESET");
      this.reusable = false;
    } else this.fail("connection closed inside the body", "HPE_INVALID_EOF_STATE");
  }

  /** Fails when a line still open is `rest` bytes: the same error as once it is complete (the bytes decide, not how they arrive). */
  private overLimit(rest: number): boolean {
    const limit = this.part === Part.Head ? MAX_HEAD_BYTES - this.headBytes : MAX_CHUNK_LINE_BYTES;
    if (rest <= limit) return false;
    if (this.part === Part.ChunkLine) this.fail("chunk line too long", "HPE_INVALID_CHUNK_SIZE");
    else this.fail(this.part === Part.Head ? "head too long" : "trailers too long", "HPE_HEADER_OVERFLOW");
    return true;
  }

  private fail(message: string, code: string): void {
    this.error = malformed(message, code);
    this.reusable = false;
  }

  /** Reads from `at`: the offset after what it used, or -1 when it needs more bytes. */
  private step(data: Buffer, at: number): number {
    switch (this.part) {
      case Part.Head: {
        const end = data.indexOf(HEAD_END, at);
        if (end < 0) return -1;
        this.headBytes += end + 4 - at;
        if (this.headBytes > MAX_HEAD_BYTES) {
          this.fail("head too long", "HPE_HEADER_OVERFLOW");
          return data.length;
        }
        this.head(data.toString("latin1", at, end));
        return end + 4;
      }
      case Part.Sized:
        return this.skipBody(data, at, Part.Done);
      case Part.ChunkLine: {
        const end = data.indexOf(CRLF, at);
        if (end < 0) return -1;
        // Within its limit (CRLF included) however it arrives, as when it is kept for more bytes.
        const line = end + 2 - at <= MAX_CHUNK_LINE_BYTES ? CHUNK_LINE.exec(data.toString("latin1", at, end)) : null;
        if (!line) {
          this.fail("bad chunk size line", "HPE_INVALID_CHUNK_SIZE");
          return data.length;
        }
        this.left = parseInt(line[1], 16);
        this.part = this.left === 0 ? Part.Trailers : Part.ChunkData;
        this.headBytes = 0;
        return end + 2;
      }
      case Part.ChunkData:
        return this.skipBody(data, at, Part.ChunkEnd);
      case Part.ChunkEnd: {
        if (data.length - at < 2) return -1;
        if (data[at] !== 0x0d || data[at + 1] !== 0x0a) {
          this.fail("chunk data longer than its size", "HPE_INVALID_CHUNK_SIZE");
          return data.length;
        }
        this.part = Part.ChunkLine;
        return at + 2;
      }
      case Part.Trailers: {
        // Trailer fields are not needed: each line is checked, up to the empty one.
        const end = data.indexOf(CRLF, at);
        if (end < 0) return -1;
        this.headBytes += end + 2 - at;
        if (end === at) this.part = Part.Done;
        else if (this.headBytes > MAX_CHUNK_LINE_BYTES) this.fail("trailers too long", "HPE_HEADER_OVERFLOW");
        else {
          if (!fieldOf(data.toString("latin1", at, end))) this.fail("bad trailer", "HPE_INVALID_HEADER_TOKEN");
        }
        return end + 2;
      }
      case Part.UntilClose:
        return data.length;
      default:
        return data.length;
    }
  }

  /** Passes over up to `left` body bytes (not needed); `next` once they are all read. */
  private skipBody(data: Buffer, at: number, next: Part): number {
    const take = Math.min(this.left, data.length - at);
    this.left -= take;
    if (this.left === 0) this.part = next;
    return at + take;
  }

  /** A complete head, CRLFs between its lines, none at its end. */
  private head(text: string): void {
    const lines = text.split("\r\n");
    const statusLine = STATUS_LINE.exec(lines[0]);
    if (!statusLine) return this.fail("bad status line", "HPE_INVALID_STATUS");
    const status = Number(statusLine[2]);
    let lengths: string | undefined;
    let codings: string | undefined;
    let connection = "";
    for (let i = 1; i < lines.length; i++) {
      const field = fieldOf(lines[i]);
      // obs-fold, a bare CR or LF, a control in a value: not an answer this reader is sure of.
      if (!field) return this.fail("bad header line", "HPE_INVALID_HEADER_TOKEN");
      const [key, value] = field;
      // Only three names matter; most lines are told apart by length, without lower-casing.
      const size = key.length;
      if (size !== 10 && size !== 14 && size !== 17) continue;
      const name = key.toLowerCase();
      if (name === "content-length") lengths = lengths === undefined ? value : `${lengths},${value}`;
      else if (name === "transfer-encoding") codings = codings === undefined ? value : `${codings},${value}`;
      else if (name === "connection") connection += `,${value.toLowerCase()}`;
    }
    // Other 1xx precede the answer; 101 switches protocols, which this client never asks for:
    // it is the answer (no verdict), and what follows on the connection is not HTTP/1.1.
    if (status < 200 && status !== 101) return;
    this.status = status;
    if (status === 101) {
      this.part = Part.Done;
      this.reusable = false;
      return;
    }
    const tokens = connection.split(",").map(ows);
    // RFC 9112 section 9.3: "close" ends the connection in either version; HTTP/1.0 keeps it only
    // with "keep-alive", and never after a Transfer-Encoding (section 6.1: faulty framing).
    this.reusable = !tokens.includes("close") && (statusLine[1] === "1" || (tokens.includes("keep-alive") && codings === undefined));
    if (this.method === "HEAD" || status === 204 || status === 304) {
      this.part = Part.Done;
      return;
    }
    if (codings !== undefined) {
      // Both framings: a message that can be read two ways (RFC 9112 section 6.3) is refused.
      if (lengths !== undefined) return this.fail("both Transfer-Encoding and Content-Length", "HPE_UNEXPECTED_CONTENT_LENGTH");
      const list = codings.split(",").map((c) => ows(c).toLowerCase());
      const chunked = list.indexOf("chunked");
      if (chunked >= 0 && chunked !== list.length - 1) return this.fail("chunked is not the last coding", "HPE_INVALID_TRANSFER_ENCODING");
      if (chunked < 0) return this.untilClose();
      this.part = Part.ChunkLine;
      this.headBytes = 0;
      return;
    }
    if (lengths !== undefined) {
      const values = lengths.split(",").map(ows);
      if (!values.every((v) => /^\d{1,15}$/.test(v) && v === values[0]))
        return this.fail("bad Content-Length", "HPE_INVALID_CONTENT_LENGTH");
      this.left = Number(values[0]);
      this.part = this.left === 0 ? Part.Done : Part.Sized;
      return;
    }
    this.untilClose();
  }

  private untilClose(): void {
    this.part = Part.UntilClose;
    this.reusable = false;
  }
}

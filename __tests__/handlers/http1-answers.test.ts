// Seeded fuzz of the HTTP/1.1 messages the node client writes and reads itself
// (handlers/http1-messages.ts), as strict as the request fuzz (fuzz.test.ts):
//
//   1. generated valid answers (interim 1xx heads, both versions, odd but valid fields, every
//      framing) split at random points: status, complete and reusable exactly when and as
//      RFC 9112 says, never an error;
//   2. a subset of them sent by a raw server to Node's own client (llhttp): same status, same body;
//   3. named malformed answers, each with the error code it must give however it is split, and
//      seeded random mutations of valid answers: never a throw, never a contradictory state;
//   4. 101, taken as the answer;
//   5. requestHead: the exact bytes, or ERR_INVALID_CHAR.
//
// Every case has its own 32-bit seed (eventSeed(run seed, stream, index)), printed with its bytes
// in a failure; validAnswer(<case seed>) and mutated(<case seed>) rebuild one. Another run seed:
// FUZZ_SEED=<n> npx jest http1-answers.
import * as http from "node:http";
import * as net from "node:net";
import { AnswerReader, MAX_HEAD_BYTES, requestHead } from "../../handlers/http1-messages";
import { type NodeRequest, verdictOf } from "../../handlers/protocol";
import { asciiJson, eventSeed, Rng } from "../support/fuzz-events";

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_c0de) >>> 0;
const VALID_ANSWERS = 800;
const DIFFERENTIAL_ANSWERS = 150;
const MUTATIONS = 3000;
const REQUEST_HEADS = 1000;
/** One stream of case seeds per kind of case (named cases: their length for the index). */
const STREAM = { answer: 0, mutation: 1, request: 2, malformed: 3, boundary: 4 } as const;
/** The chunk-size line and trailer section limit of http1-messages.ts (not exported). */
const MAX_CHUNK_LINE_BYTES = 1024;

const latin1 = (s: string): Buffer => Buffer.from(s, "latin1");
const char = (code: number): string => String.fromCharCode(code);
/** Bytes as an ASCII-only JSON string, the middle of a long one left out. */
function show(data: Buffer): string {
  if (data.length <= 600) return asciiJson(data.toString("latin1"));
  return `${asciiJson(data.subarray(0, 400).toString("latin1"))} ... (${data.length} bytes) ... ${asciiJson(data.subarray(-120).toString("latin1"))}`;
}

// ---------------------------------------------------------------------------------------------
// Feeding a reader

/** What a reader shows after some bytes. */
interface Seen {
  status: number | undefined;
  complete: boolean;
  error: string | undefined;
  reusable: boolean;
}
const same = (a: Seen, b: Seen): boolean =>
  a.status === b.status && a.complete === b.complete && a.error === b.error && a.reusable === b.reusable;
const seen = (reader: AnswerReader): Seen => ({
  status: reader.status,
  complete: reader.complete,
  error: reader.error?.code,
  reusable: reader.reusable,
});

/** `data` in pieces cut at `offsets` (any order, repeats and out-of-range ones ignored). */
function cutAt(data: Buffer, offsets: Iterable<number>): Buffer[] {
  if (data.length === 0) return [];
  const cuts = [...new Set(offsets)].filter((o) => o > 0 && o < data.length).sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const cut of cuts) {
    chunks.push(data.subarray(from, cut));
    from = cut;
  }
  chunks.push(data.subarray(from));
  return chunks;
}
const randomCuts = (r: Rng, length: number): number[] =>
  Array.from({ length: r.range(0, Math.min(12, length)) }, () => r.range(1, length - 1));
const everyByte = (length: number): number[] => Array.from({ length }, (_, i) => i);

/** The ways a message is split for the cases that must not depend on it (malformed ones, boundaries). */
function splits(r: Rng, data: Buffer): Array<[string, Buffer[]]> {
  const ways: Array<[string, Buffer[]]> = [["whole", cutAt(data, [])]];
  if (data.length <= 40_000) ways.push(["byte by byte", cutAt(data, everyByte(data.length))]);
  for (let i = 0; i < 4; i++) {
    const cuts = randomCuts(r, data.length);
    ways.push([`cut at ${cuts.join(",")}`, cutAt(data, cuts)]);
  }
  return ways;
}

/** Feeds the chunks, then (if asked) the end of the connection; the state after, or what it threw. */
function outcome(method: string, chunks: Buffer[], ended: boolean): Seen | string {
  const reader = new AnswerReader(method);
  try {
    for (const chunk of chunks) reader.read(chunk);
    if (ended) reader.end();
  } catch (err) {
    return `threw ${String(err)}`;
  }
  return seen(reader);
}

// ---------------------------------------------------------------------------------------------
// Valid answers

type Framing = "length" | "chunked" | "close" | "none";

/** A generated answer and everything RFC 9112 says a reader must make of it. */
interface Answer {
  seed: number;
  method: "GET" | "HEAD";
  /** The message, then `extra` bytes after it (none for a close-delimited one: they would be body). */
  data: Buffer;
  /** Offset just past the final head's empty line: where `status` is known. */
  headEnd: number;
  /** Offset just past the message's last byte. */
  end: number;
  status: number;
  interim: number;
  framing: Framing;
  /** The content as a client hands it on: chunks decoded; none after HEAD, 204 or 304. */
  bodyLength: number;
  /** RFC 9112 section 9.3 (and 6.1), extra bytes aside. */
  reusable: boolean;
  /** Whether llhttp reads it too: it refuses some valid forms (see where this is cleared). */
  llhttp: boolean;
  summary: string;
}

const TCHAR = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const FRAMING_FIELDS = ["content-length", "transfer-encoding", "connection"];
const COMMON_FIELDS = [
  "Date",
  "Server",
  "Content-Type",
  "Cache-Control",
  "Set-Cookie",
  "ETag",
  "Vary",
  "Keep-Alive",
  "Link",
  "Via",
  "Trailer",
];
const REASONS = [
  "OK",
  "No Content",
  "Not Modified",
  "Forbidden",
  "Not Found",
  "Internal Server Error",
  "Service Unavailable",
  "Early Hints",
];
/** Optional whitespace around a field value (RFC 9112 section 5). */
const OWS = ["", "", "", " ", "  ", "\t", " \t "];
const STATUSES = [200, 200, 200, 201, 204, 206, 301, 304, 400, 403, 403, 404, 429, 500, 502, 503, 504, 999];
/** Connection fields of a final head (each inner string one field line). */
const CONNECTION: string[][] = [
  [],
  [],
  [],
  [],
  ["close"],
  ["Close"],
  ["keep-alive"],
  ["Keep-Alive"],
  ["keep-alive, close"], // close wins, HTTP/1.0 included (RFC 9112 section 9.3)
  ["close,keep-alive"],
  ["keep-alive", "close"],
  ["x-trace , keep-alive"],
  ["TE,\tCLOSE"],
  ["keep-alive", "Keep-Alive"],
];

function mixCase(r: Rng, s: string): string {
  const k = r.float();
  if (k < 0.5) return s;
  if (k < 0.6) return s.toLowerCase();
  if (k < 0.7) return s.toUpperCase();
  return [...s].map((c) => (r.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join("");
}

/** A field name: a known one in any case or a random token, never a framing one. */
function fieldName(r: Rng): string {
  if (r.chance(0.4)) return mixCase(r, r.pick(COMMON_FIELDS));
  let name = "";
  for (let n = r.range(1, 20); n > 0; n--) name += TCHAR[r.int(TCHAR.length)];
  return FRAMING_FIELDS.includes(name.toLowerCase()) ? `X-${name}` : name;
}

/** A field value: visible ASCII, obs-text (0x80-0xFF), spaces and tabs inside. */
function fieldValue(r: Rng, max = 40): string {
  let v = "";
  for (let n = r.range(0, max); n > 0; n--) {
    const k = r.float();
    v += k < 0.6 ? char(r.range(0x21, 0x7e)) : k < 0.8 ? char(r.range(0x80, 0xff)) : k < 0.92 ? " " : "\t";
  }
  return v;
}

const fieldLine = (r: Rng, name: string, value: string): string => `${name}:${r.pick(OWS)}${value}${r.pick(OWS)}\r\n`;

/** Random fields with `special` lines put among them at random places. */
function fieldSection(r: Rng, special: string[], max: number): string {
  const lines = Array.from({ length: r.range(0, max) }, () => fieldLine(r, fieldName(r), fieldValue(r)));
  for (const line of special) lines.splice(r.int(lines.length + 1), 0, line);
  return lines.join("");
}

/** A status line; the reason phrase may be missing, empty, or hold tabs and obs-text. */
function statusLine(r: Rng, version: string, status: number): string {
  const k = r.float();
  const reason = k < 0.1 ? "" : k < 0.2 ? " " : k < 0.7 ? ` ${r.pick(REASONS)}` : ` ${fieldValue(r, 30)}`;
  return `HTTP/${version} ${status}${reason}\r\n`;
}

/**
 * An interim (1xx, not 101) head: skipped by the reader, whatever its version and fields (RFC
 * 9110 section 15.2: the final answer follows). llhttp applies an HTTP/1.0 or "close" one's
 * connection semantics to it, then refuses the final head as data after the close: such heads
 * are left out of the comparison with llhttp.
 */
function interimHead(r: Rng): { head: string; llhttp: boolean } {
  const status = r.pick([100, 100, 102, 103, 103, 199]);
  const version = r.pick(["1.1", "1.1", "1.1", "1.0"]);
  const special = status === 103 ? [fieldLine(r, "Link", "</style.css>; rel=preload; as=style")] : [];
  const close = r.chance(0.15);
  if (close) special.push(fieldLine(r, "Connection", "close"));
  return { head: `${statusLine(r, version, status)}${fieldSection(r, special, 3)}\r\n`, llhttp: version === "1.1" && !close };
}

/** Any bytes: xorshift32 seeded from the case's stream (one Rng draw per byte would be most of the run time). */
function randomBytes(r: Rng, n: number): Buffer {
  const b = Buffer.allocUnsafe(n);
  let x = r.range(1, 0x7fff_ffff);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  return b;
}

function bodySize(r: Rng): number {
  const k = r.float();
  return k < 0.1 ? 0 : k < 0.5 ? r.range(1, 16) : k < 0.85 ? r.range(17, 600) : k < 0.97 ? r.range(601, 8000) : r.range(8001, 70_000);
}

/** A chunked body: chunks of random sizes, size lines in any case with extensions, maybe trailers. */
function chunkedBody(r: Rng): { wire: Buffer; length: number; llhttp: boolean } {
  const parts: Buffer[] = [];
  let length = 0;
  let llhttp = true;
  const sizeLine = (size: number): string => {
    let hex = mixCase(r, size.toString(16));
    if (r.chance(0.15)) hex = "0".repeat(r.range(1, 12 - hex.length)) + hex; // 12 digits at most
    let ext = r.chance(0.3) ? r.pick([";a=b", ";name", ';a="quoted; value"', ";a=b;c=d", ";x-ext=1"]) : "";
    if (r.chance(0.03)) {
      // BWS before ";" (RFC 9112 section 7.1.1 allows it): llhttp refuses it.
      ext = ` ${ext || ";a=b"}`;
      llhttp = false;
    }
    return `${hex}${ext}\r\n`;
  };
  for (let n = r.range(0, 6); n > 0; n--) {
    const size = Math.max(1, bodySize(r));
    parts.push(latin1(sizeLine(size)), randomBytes(r, size), latin1("\r\n"));
    length += size;
  }
  const trailers = r.chance(0.25) ? Array.from({ length: r.range(1, 3) }, () => fieldLine(r, fieldName(r), fieldValue(r))).join("") : "";
  parts.push(latin1(`${sizeLine(0)}${trailers}\r\n`));
  return { wire: Buffer.concat(parts), length, llhttp };
}

/** The valid answer of case `seed`. */
function validAnswer(seed: number): Answer {
  const r = new Rng(seed);
  const method = r.chance(0.15) ? "HEAD" : "GET";
  const version = r.chance(0.75) ? "1.1" : "1.0";
  const status = r.chance(0.15) ? r.range(200, 999) : r.pick(STATUSES);
  const interim = r.chance(0.3) ? r.range(1, 3) : 0;
  const connection = r.pick(CONNECTION);
  const special = connection.map((v) => fieldLine(r, mixCase(r, "Connection"), v));
  const CL = (): string => mixCase(r, "Content-Length");
  const TE = (): string => mixCase(r, "Transfer-Encoding");
  let framing: Framing;
  let body: Buffer = Buffer.alloc(0);
  let bodyLength = 0;
  let llhttp = true;
  let transferEncoding = false;

  if (method === "HEAD" || status === 204 || status === 304) {
    // No body whatever the fields say (RFC 9112 section 6.3): a HEAD answer or a 304 may give
    // the length a GET would have had.
    framing = "none";
    if (status !== 204 && r.chance(0.5)) special.push(fieldLine(r, CL(), String(bodySize(r))));
    else if (method === "HEAD" && status !== 204 && r.chance(0.3)) {
      special.push(fieldLine(r, TE(), "chunked"));
      transferEncoding = true;
    }
  } else {
    const k = r.float();
    framing = k < 0.45 ? "length" : k < 0.85 ? "chunked" : "close";
    if (framing === "length") {
      bodyLength = bodySize(r);
      body = randomBytes(r, bodyLength);
      const n = String(bodyLength);
      const form = r.float();
      if (form < 0.7) special.push(fieldLine(r, CL(), r.chance(0.1) ? `00${n}` : n));
      else if (form < 0.85) {
        // The same length repeated, or as a list: RFC 9110 section 8.6 lets a recipient take it;
        // llhttp refuses both (HPE_UNEXPECTED_CONTENT_LENGTH, HPE_INVALID_CONTENT_LENGTH).
        special.push(fieldLine(r, CL(), n), fieldLine(r, CL(), n));
        llhttp = false;
      } else {
        special.push(fieldLine(r, CL(), `${n},${r.pick(OWS)}${n}`));
        llhttp = false;
      }
    } else if (framing === "chunked") {
      const chunked = chunkedBody(r);
      body = chunked.wire;
      bodyLength = chunked.length;
      llhttp = chunked.llhttp;
      transferEncoding = true;
      const codings = r.pick([["chunked"], ["Chunked"], ["CHUNKED"], ["gzip, chunked"], ["gzip,chunked"], ["gzip", "chunked"]]);
      // Two fields kept together and in order: chunked must stay the last coding.
      special.push(codings.map((coding) => fieldLine(r, TE(), coding)).join(""));
    } else {
      bodyLength = bodySize(r);
      body = randomBytes(r, bodyLength);
      if (r.chance(0.15)) {
        // A coding but not chunked last: a response read until the close (RFC 9112 section 6.3).
        special.push(fieldLine(r, TE(), "gzip"));
        transferEncoding = true;
      }
    }
  }
  if (r.chance(0.03)) special.push(fieldLine(r, fieldName(r), fieldValue(r, 9000))); // a big head

  let head = "";
  for (let i = 0; i < interim; i++) {
    const one = interimHead(r);
    head += one.head;
    llhttp &&= one.llhttp;
  }
  const final = `${statusLine(r, version, status)}${fieldSection(r, special, 8)}\r\n`;
  head += final;
  // llhttp takes SP but not HTAB for whitespace after a Content-Length or Transfer-Encoding
  // value (RFC 9112 section 5 strips both): it refuses "5\t" and does not see "chunked\t" (it
  // reads to the close). Such answers are left out of the comparison with llhttp.
  if (final.split("\r\n").some((line) => /^(content-length|transfer-encoding):.*\t *$/i.test(line))) llhttp = false;
  if (head.length > MAX_HEAD_BYTES) throw new Error(`case ${seed}: the generator made a head of ${head.length} bytes`);

  const tokens = connection
    .join(",")
    .toLowerCase()
    .split(",")
    .map((t) => t.trim());
  // RFC 9112 section 9.3: "close" ends the connection in any version; an HTTP/1.0 one persists
  // only with "keep-alive", and never with a Transfer-Encoding (section 6.1: its framing is
  // faulty, the connection closed once the message is processed). A close-delimited body
  // ends with the connection.
  const reusable =
    framing !== "close" && !tokens.includes("close") && (version === "1.1" || (tokens.includes("keep-alive") && !transferEncoding));
  const extra = framing !== "close" && r.chance(0.2) ? latin1(r.pick(["HTTP/1.1 200 OK\r\n\r\n", "\r\n", "x", "\0"])) : Buffer.alloc(0);
  const message = Buffer.concat([latin1(head), body]);
  return {
    seed,
    method,
    data: Buffer.concat([message, extra]),
    headEnd: head.length,
    end: message.length,
    status,
    interim,
    framing,
    bodyLength,
    reusable,
    llhttp,
    summary:
      `${method}: HTTP/${version} ${status} after ${interim} interim, ${framing} body of ${bodyLength} bytes, ` +
      `Connection: ${connection.join(" | ") || "none"}, ${extra.length} bytes after it`,
  };
}

/** How an answer is split, from its own seed: every byte, at the head's and message's edges, at random. */
function answerSplits(a: Answer): Array<[string, Buffer[]]> {
  const r = new Rng(a.seed ^ 0x5911_7000);
  // Around the last byte of the final head and of the message: status and complete must flip there.
  const edges = [a.headEnd - 1, a.headEnd, a.end - 1, a.end, ...randomCuts(r, a.data.length)];
  const ways: Array<[string, Buffer[]]> = [[`cut at ${edges.join(",")}`, cutAt(a.data, edges)]];
  const k = r.float();
  if (k < 0.2) ways.push(["whole", cutAt(a.data, [])]);
  else if (k < 0.5 && a.data.length <= 4096) ways.push(["byte by byte", cutAt(a.data, everyByte(a.data.length))]);
  else {
    const cuts = randomCuts(r, a.data.length);
    ways.push([`cut at ${cuts.join(",")}`, cutAt(a.data, cuts)]);
  }
  return ways;
}

/** Everything wrong with how a reader reads `a` fed as `chunks`; [] when it is exact. */
function checkAnswer(a: Answer, chunks: Buffer[]): string[] {
  const reader = new AnswerReader(a.method);
  let fed = 0;
  const expectAfter = (what: string): string[] => {
    const problems: string[] = [];
    const headRead = fed >= a.headEnd;
    if (reader.error) problems.push(`error ${reader.error.code} (${reader.error.message})`);
    if (reader.status !== (headRead ? a.status : undefined))
      problems.push(`status ${reader.status}, expected ${headRead ? a.status : "none yet"}`);
    const done = what === "end()" || (a.framing !== "close" && fed >= a.end);
    if (reader.complete !== done) problems.push(`complete ${reader.complete}, expected ${done}`);
    if (reader.complete && reader.reusable !== (a.reusable && fed <= a.end)) problems.push(`reusable ${reader.reusable}`);
    if (reader.received !== fed) problems.push(`received ${reader.received}, fed ${fed}`);
    return problems.map((p) => `after ${what} (${fed} bytes): ${p}`);
  };
  for (const chunk of chunks) {
    try {
      reader.read(chunk);
    } catch (err) {
      return [`read threw ${String(err)} after ${fed} bytes`];
    }
    fed += chunk.length;
    const problems = expectAfter(`a chunk of ${chunk.length}`);
    if (problems.length > 0) return problems;
  }
  try {
    reader.end();
  } catch (err) {
    return [`end() threw ${String(err)}`];
  }
  return expectAfter("end()");
}

const ANSWERS = Array.from({ length: VALID_ANSWERS }, (_, i) => validAnswer(eventSeed(SEED, STREAM.answer, i)));

describe(`generated valid answers (seed ${SEED})`, () => {
  test(`${VALID_ANSWERS} answers, each split two ways: status at the final head's last byte, complete at the message's`, () => {
    const problems: string[] = [];
    let failures = 0;
    for (const a of ANSWERS) {
      for (const [how, chunks] of answerSplits(a)) {
        const wrong = checkAnswer(a, chunks);
        if (wrong.length === 0) continue;
        failures++;
        if (problems.length < 6)
          problems.push(`case ${a.seed} (validAnswer(${a.seed})), ${how}: ${a.summary}\n  ${wrong.join("\n  ")}\n  ${show(a.data)}`);
        break;
      }
    }
    expect({ failures, first: problems }).toEqual({ failures: 0, first: [] });
  });

  test("the generator covers every kind of answer", () => {
    const count = (p: (a: Answer) => boolean): number => ANSWERS.filter(p).length;
    const tally = {
      length: count((a) => a.framing === "length"),
      chunked: count((a) => a.framing === "chunked"),
      close: count((a) => a.framing === "close"),
      none: count((a) => a.framing === "none"),
      head: count((a) => a.method === "HEAD"),
      interim: count((a) => a.interim > 0),
      reusable: count((a) => a.reusable),
      http10: count((a) => a.summary.includes("HTTP/1.0 ")),
      http10Reusable: count((a) => a.summary.includes("HTTP/1.0 ") && a.reusable),
      extra: count((a) => a.data.length > a.end),
      obsText: count((a) => /[\x80-\xff]/.test(a.data.subarray(0, a.headEnd).toString("latin1"))),
      big: count((a) => a.data.length > 50_000),
      notLlhttp: count((a) => !a.llhttp),
    };
    for (const [kind, n] of Object.entries(tally)) expect([kind, n > 3]).toEqual([kind, true]);
  });
});

// ---------------------------------------------------------------------------------------------
// Against llhttp

describe(`Node's own client reads the same answers (seed ${SEED})`, () => {
  let server: net.Server;
  let port: number;
  /** The chunks to answer with, by request target. */
  const replies = new Map<string, Buffer[]>();

  beforeAll(async () => {
    server = net.createServer((socket) => {
      let request = "";
      let answered = false;
      socket.on("error", () => undefined);
      socket.on("data", (d: Buffer) => {
        request += d.toString("latin1");
        if (answered || !request.includes("\r\n\r\n")) return;
        answered = true;
        for (const chunk of replies.get(request.split(" ")[1]) ?? []) socket.write(chunk);
        socket.end(); // a close-delimited body ends here
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  interface Read {
    status: number;
    interim: number;
    bodyLength: number;
  }
  /** What Node's http client makes of the answer, on a fresh connection. */
  const nodeReads = (target: string, method: string): Promise<Read | string> =>
    new Promise((resolve) => {
      let interim = 0;
      const req = http.request({ host: "127.0.0.1", port, path: target, method, agent: false }, (res) => {
        let bodyLength = 0;
        res.on("data", (d: Buffer) => (bodyLength += d.length));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, interim, bodyLength }));
        res.on("error", (err: NodeJS.ErrnoException) => resolve(`response error ${err.code ?? err.message}`));
      });
      req.on("information", () => interim++);
      req.on("error", (err: NodeJS.ErrnoException) => resolve(`error ${err.code ?? ""} ${err.message}`));
      req.end();
    });

  test(`${DIFFERENTIAL_ANSWERS} answers: same status, interim answers and content length`, async () => {
    // llhttp refuses some valid answers (repeated or listed Content-Length, BWS in a chunk line):
    // those are left to the RFC checks above. The message alone is sent (bytes after it would
    // race with the end of the response), split as in the checks above.
    const cases = ANSWERS.filter((a) => a.llhttp).slice(0, DIFFERENTIAL_ANSWERS);
    expect(cases).toHaveLength(DIFFERENTIAL_ANSWERS);
    const problems: string[] = [];
    for (let from = 0; from < cases.length; from += 15) {
      await Promise.all(
        cases.slice(from, from + 15).map(async (a) => {
          const message = a.data.subarray(0, a.end);
          const target = `/case/${a.seed}`;
          replies.set(target, cutAt(message, randomCuts(new Rng(a.seed), message.length)));
          const reader = new AnswerReader(a.method);
          reader.read(message);
          reader.end();
          // AnswerReader counts neither interim answers nor content: it is checked above to skip the
          // generated interim heads and to frame the message to the byte (complete exactly at its
          // last byte); llhttp must see as many interim answers and decode as much content.
          const ours = { status: reader.status, interim: a.interim, bodyLength: reader.complete && !reader.error ? a.bodyLength : -1 };
          const theirs = await nodeReads(target, a.method);
          if (JSON.stringify(theirs) !== JSON.stringify(ours))
            problems.push(
              `case ${a.seed}: ${a.summary}\n  llhttp ${JSON.stringify(theirs)}\n  ours   ${JSON.stringify(ours)}\n  ${show(message)}`,
            );
        }),
      );
    }
    expect(problems.slice(0, 6)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Malformed answers

/** A malformed answer: the code it must give, whether the connection then ends, the status read first. */
type Bad = [name: string, data: string, code: string, opts?: { ended?: boolean; status?: number; method?: string }];

const OK = "HTTP/1.1 200 OK\r\n";
const withFields = (fields: string, body = ""): string => `${OK}${fields}\r\n${body}`;
const chunked = (body: string): string => withFields("Transfer-Encoding: chunked\r\n", body);
const sized = (length: string): string => withFields(`Content-Length: ${length}\r\n`, "hello");
const at200 = { status: 200 };
/** `before`, then a final head of an empty answer padded to `total` bytes with all of `before`. */
const headOf = (total: number, before = ""): string =>
  `${before}${withFields(`Content-Length: 0\r\nX-Big: ${"a".repeat(total - before.length - OK.length - 30)}\r\n`)}`;
const INTERIM_100 = "HTTP/1.1 100 Continue\r\n\r\n".repeat(10);

// Where AnswerReader is stricter than llhttp (Node's client), on purpose: the node's answers are
// small and plain, and an answer this reader is not sure of is no verdict rather than a guess.
// Each such case says so; none is a divergence to fix.
const MALFORMED: Bad[] = [
  // The status line.
  ["HTTP/2.0", "HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", "HPE_INVALID_STATUS"],
  ["HTTP/1.2", "HTTP/1.2 200 OK\r\n\r\n", "HPE_INVALID_STATUS"],
  ["HTTP/1.10", "HTTP/1.10 200 OK\r\n\r\n", "HPE_INVALID_STATUS"],
  ["lower-case http/1.1", "http/1.1 200 OK\r\n\r\n", "HPE_INVALID_STATUS"],
  ["a two-digit status", "HTTP/1.1 20 OK\r\n\r\n", "HPE_INVALID_STATUS"],
  ["a four-digit status", "HTTP/1.1 2000 OK\r\n\r\n", "HPE_INVALID_STATUS"],
  ["status 099", "HTTP/1.1 099 OK\r\n\r\n", "HPE_INVALID_STATUS"],
  ["letters for a status", "HTTP/1.1 abc OK\r\n\r\n", "HPE_INVALID_STATUS"],
  ["no status", "HTTP/1.1\r\n\r\n", "HPE_INVALID_STATUS"],
  ["two spaces before the status", "HTTP/1.1  200 OK\r\n\r\n", "HPE_INVALID_STATUS"],
  ["a tab for the space", "HTTP/1.1\t200 OK\r\n\r\n", "HPE_INVALID_STATUS"],
  ["no space before the reason", "HTTP/1.1 200OK\r\n\r\n", "HPE_INVALID_STATUS"],
  ["a leading space", " HTTP/1.1 200 OK\r\n\r\n", "HPE_INVALID_STATUS"],
  // llhttp skips empty lines before a status line; RFC 9112 section 2.2 asks that of servers only.
  ["an empty line before the status line (stricter than llhttp)", "\r\nHTTP/1.1 200 OK\r\n\r\n", "HPE_INVALID_STATUS"],
  ["NUL in the reason", "HTTP/1.1 200 O\0K\r\n\r\n", "HPE_INVALID_STATUS"],
  ["DEL in the reason", "HTTP/1.1 200 O\x7fK\r\n\r\n", "HPE_INVALID_STATUS"],
  ["a bare CR in the reason", "HTTP/1.1 200 O\rK\r\n\r\n", "HPE_INVALID_STATUS"],
  // llhttp takes a bare LF as a line end; RFC 9112 section 2.2 only allows a recipient to.
  ["the status line ended by a bare LF (stricter than llhttp)", "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", "HPE_INVALID_STATUS"],
  ["no status line at all", "<html>\r\n\r\n", "HPE_INVALID_STATUS"],
  ["a bad status line in an interim head", "HTTP/1.1 10 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", "HPE_INVALID_STATUS"],

  // Field lines.
  ["a bare LF between fields (stricter than llhttp)", withFields("X-A: b\nX-B: c\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["a bare CR in a value", withFields("X-A: b\rc\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["a CR before a line's CRLF", withFields("X-A: b\r\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["NUL in a value", withFields("X-A: b\0c\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["NUL at a value's end", withFields("X-A: b\0\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["0x01 in a value", withFields("X-A: \x01\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["backspace in a value", withFields("X-A: a\x08b\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["a vertical tab in a value", withFields("X-A: a\x0bb\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["a form feed in a value", withFields("X-A: a\x0cb\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["ESC in a value", withFields("X-A: \x1b[0m\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["0x1F in a value", withFields("X-A: a\x1f\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["DEL in a value", withFields("X-A: a\x7fb\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["a control in a Content-Length value", withFields("Content-Length: 5\x01\r\n", "hello"), "HPE_INVALID_HEADER_TOKEN"],
  // RFC 9112 section 5.2 lets a user agent replace obs-fold by spaces; llhttp does. Refused here.
  ["obs-fold with a space (stricter than llhttp)", withFields("X-A: b\r\n c\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["obs-fold with a tab (stricter than llhttp)", withFields("X-A: b\r\n\tc\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["obs-fold of Content-Length (stricter than llhttp)", withFields("Content-Length:\r\n 5\r\n", "hello"), "HPE_INVALID_HEADER_TOKEN"],
  ["whitespace before the first field", withFields(" X-A: b\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["a space in a name", withFields("X A: b\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["a space before the colon", withFields("Content-Length : 5\r\n", "hello"), "HPE_INVALID_HEADER_TOKEN"],
  ["a tab before the colon", withFields("X-A\t: b\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["a line without a colon", withFields("X-A b\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["an empty name", withFields(": b\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["a parenthesis in a name", withFields("X(A): b\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["a slash in a name", withFields("X/A: b\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["a quote in a name", withFields('X"A": b\r\n'), "HPE_INVALID_HEADER_TOKEN"],
  ["obs-text in a name", withFields("X-\xe9: b\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["NUL in a name", withFields("X\0A: b\r\n"), "HPE_INVALID_HEADER_TOKEN"],
  ["a bad field in an interim head", "HTTP/1.1 103 Early Hints\r\nX A: b\r\n\r\nHTTP/1.1 200 OK\r\n\r\n", "HPE_INVALID_HEADER_TOKEN"],

  // Content-Length (RFC 9112 section 6.3: an invalid one is an unrecoverable error).
  ["Content-Length: abc", sized("abc"), "HPE_INVALID_CONTENT_LENGTH", at200],
  ["Content-Length: 5a", sized("5a"), "HPE_INVALID_CONTENT_LENGTH", at200],
  ["Content-Length: 0x5", sized("0x5"), "HPE_INVALID_CONTENT_LENGTH", at200],
  ["Content-Length: -1", sized("-1"), "HPE_INVALID_CONTENT_LENGTH", at200],
  ["Content-Length: +5", sized("+5"), "HPE_INVALID_CONTENT_LENGTH", at200],
  ["Content-Length: 5.0", sized("5.0"), "HPE_INVALID_CONTENT_LENGTH", at200],
  ["Content-Length: 5 5", sized("5 5"), "HPE_INVALID_CONTENT_LENGTH", at200],
  ["an empty Content-Length", sized(""), "HPE_INVALID_CONTENT_LENGTH", at200],
  ["a 16-digit Content-Length", sized("1234567890123456"), "HPE_INVALID_CONTENT_LENGTH", at200],
  ["a 16-digit Content-Length of leading zeros", sized("0000000000000005"), "HPE_INVALID_CONTENT_LENGTH", at200],
  ["Content-Length: 5, 6", sized("5, 6"), "HPE_INVALID_CONTENT_LENGTH", at200],
  ["Content-Length: 5,", sized("5,"), "HPE_INVALID_CONTENT_LENGTH", at200],
  ["Content-Length: ,5", sized(",5"), "HPE_INVALID_CONTENT_LENGTH", at200],
  ["Content-Length: 5,,5", sized("5,,5"), "HPE_INVALID_CONTENT_LENGTH", at200],
  ["Content-Length 5 then 6", withFields("Content-Length: 5\r\ncontent-length: 6\r\n", "hello"), "HPE_INVALID_CONTENT_LENGTH", at200],
  [
    "Content-Length 5 then an empty one",
    withFields("Content-Length: 5\r\nContent-Length:\r\n", "hello"),
    "HPE_INVALID_CONTENT_LENGTH",
    at200,
  ],
  // 0xA0 is obs-text, not whitespace (JavaScript's trim() takes it for a no-break space).
  ["a no-break space (0xA0) before a Content-Length", sized("\xa05"), "HPE_INVALID_CONTENT_LENGTH", at200],
  ["a no-break space (0xA0) after a Content-Length", sized("5\xa0"), "HPE_INVALID_CONTENT_LENGTH", at200],
  ["a no-break space (0xA0) in a Content-Length list", sized("5,\xa05"), "HPE_INVALID_CONTENT_LENGTH", at200],

  // Transfer-Encoding. Both framings: RFC 9112 section 6.3 ("ought to be handled as an error"); llhttp refuses it too.
  [
    "Transfer-Encoding and Content-Length",
    withFields("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "5\r\nhello\r\n0\r\n\r\n"),
    "HPE_UNEXPECTED_CONTENT_LENGTH",
    at200,
  ],
  [
    "Content-Length and Transfer-Encoding",
    withFields("Content-Length: 0\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n"),
    "HPE_UNEXPECTED_CONTENT_LENGTH",
    at200,
  ],
  [
    "Transfer-Encoding: gzip and Content-Length",
    withFields("Transfer-Encoding: gzip\r\nContent-Length: 5\r\n", "hello"),
    "HPE_UNEXPECTED_CONTENT_LENGTH",
    at200,
  ],
  // RFC 9112 section 6.3 reads such a response until the close (llhttp does): refused here.
  [
    "chunked, gzip (stricter than llhttp)",
    withFields("Transfer-Encoding: chunked, gzip\r\n", "hello"),
    "HPE_INVALID_TRANSFER_ENCODING",
    at200,
  ],
  ["chunked twice", withFields("Transfer-Encoding: chunked, chunked\r\n", "0\r\n\r\n"), "HPE_INVALID_TRANSFER_ENCODING", at200],
  [
    "chunked then gzip fields",
    withFields("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n", "hello"),
    "HPE_INVALID_TRANSFER_ENCODING",
    at200,
  ],

  // Chunk-size lines and chunk data.
  ["a chunk size that is not hex", chunked("g\r\nhello\r\n0\r\n\r\n"), "HPE_INVALID_CHUNK_SIZE", at200],
  ["a chunk size of 0x5", chunked("0x5\r\nhello\r\n0\r\n\r\n"), "HPE_INVALID_CHUNK_SIZE", at200],
  ["a negative chunk size", chunked("-5\r\nhello\r\n0\r\n\r\n"), "HPE_INVALID_CHUNK_SIZE", at200],
  ["a space before a chunk size", chunked(" 5\r\nhello\r\n0\r\n\r\n"), "HPE_INVALID_CHUNK_SIZE", at200],
  ["an empty chunk-size line", chunked("\r\nhello\r\n0\r\n\r\n"), "HPE_INVALID_CHUNK_SIZE", at200],
  ["a 13-digit chunk size", chunked("0000000000005\r\nhello\r\n0\r\n\r\n"), "HPE_INVALID_CHUNK_SIZE", at200],
  ["a chunk-size line over 1 KB", chunked(`5;${"a".repeat(MAX_CHUNK_LINE_BYTES)}\r\nhello\r\n0\r\n\r\n`), "HPE_INVALID_CHUNK_SIZE", at200],
  ["a last-chunk line over 1 KB", chunked(`0;x=${"b".repeat(2000)}\r\n\r\n`), "HPE_INVALID_CHUNK_SIZE", at200],
  ["chunk data not followed by CRLF", chunked("5\r\nhello0\r\n\r\n"), "HPE_INVALID_CHUNK_SIZE", at200],
  ["chunk data longer than its size", chunked("5\r\nhello!\r\n0\r\n\r\n"), "HPE_INVALID_CHUNK_SIZE", at200],
  ["chunk data shorter than its size", chunked("5\r\nhell\r\n0\r\n\r\n"), "HPE_INVALID_CHUNK_SIZE", at200],
  ["a chunk-size line ended by a bare LF", chunked("5\nhello\r\n0\r\n\r\n"), "HPE_INVALID_CHUNK_SIZE", at200],
  ["chunk data ended by a bare LF", chunked("5\r\nhello\n0\r\n\r\n"), "HPE_INVALID_CHUNK_SIZE", at200],
  ["a bare CR in a chunk extension", chunked("5;a\rb\r\nhello\r\n0\r\n\r\n"), "HPE_INVALID_CHUNK_SIZE", at200],
  ["NUL in a chunk extension", chunked("5;a=\0\r\nhello\r\n0\r\n\r\n"), "HPE_INVALID_CHUNK_SIZE", at200],
  ["trailers without a colon", chunked("0\r\nT v\r\n\r\n"), "HPE_INVALID_HEADER_TOKEN", at200],
  ["NUL in a trailer value", chunked("0\r\nT: a\0b\r\n\r\n"), "HPE_INVALID_HEADER_TOKEN", at200],
  ["a control in a trailer value", chunked("0\r\nT: a\x01b\r\n\r\n"), "HPE_INVALID_HEADER_TOKEN", at200],
  ["obs-fold in trailers", chunked("0\r\nT: a\r\n b\r\n\r\n"), "HPE_INVALID_HEADER_TOKEN", at200],
  ["a trailer line over 1 KB", chunked(`0\r\nT: ${"v".repeat(MAX_CHUNK_LINE_BYTES)}\r\n\r\n`), "HPE_HEADER_OVERFLOW", at200],
  [
    "trailers over 1 KB in all",
    chunked(`0\r\n${"T: vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv\r\n".repeat(25)}\r\n`),
    "HPE_HEADER_OVERFLOW",
    at200,
  ],

  // Heads over MAX_HEAD_BYTES (Node's default limit; llhttp counts each message apart, this reader
  // all the heads of an answer together).
  ["a head of MAX_HEAD_BYTES + 1", headOf(MAX_HEAD_BYTES + 1), "HPE_HEADER_OVERFLOW"],
  ["a head that never ends", `${OK}${"X-A: b\r\n".repeat(MAX_HEAD_BYTES / 8)}`, "HPE_HEADER_OVERFLOW"],
  ["one endless line", `HTTP/1.1 200 ${"x".repeat(MAX_HEAD_BYTES)}`, "HPE_HEADER_OVERFLOW"],
  [
    "interim heads over MAX_HEAD_BYTES together (stricter than llhttp)",
    `${`HTTP/1.1 103 Early Hints\r\nLink: <${"p".repeat(500)}>\r\n\r\n`.repeat(32)}${OK}\r\n`,
    "HPE_HEADER_OVERFLOW",
  ],

  // The connection ends too early: before a final head (socket hang up) or inside a body.
  ["nothing at all", "", "ECONNRESET", { ended: true }],
  ["inside the status line", "HTTP/1.1 2", "ECONNRESET", { ended: true }],
  ["after the status line", OK, "ECONNRESET", { ended: true }],
  ["inside a field", `${OK}Content-Len`, "ECONNRESET", { ended: true }],
  ["before the head's empty line", `${OK}Content-Length: 0\r\n`, "ECONNRESET", { ended: true }],
  ["after a CR of the empty line", `${OK}Content-Length: 0\r\n\r`, "ECONNRESET", { ended: true }],
  ["after an interim answer", "HTTP/1.1 100 Continue\r\n\r\n", "ECONNRESET", { ended: true }],
  [
    "a head ended by bare LFs (stricter than llhttp: never a head)",
    "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
    "ECONNRESET",
    { ended: true },
  ],
  ["a TLS record instead of an answer", "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03", "ECONNRESET", { ended: true }],
  ["a sized body cut short", sized("10"), "HPE_INVALID_EOF_STATE", { ended: true, status: 200 }],
  ["none of a sized body", withFields("Content-Length: 5\r\n"), "HPE_INVALID_EOF_STATE", { ended: true, status: 200 }],
  [
    "a 15-digit Content-Length",
    withFields("Content-Length: 999999999999999\r\n", "abc"),
    "HPE_INVALID_EOF_STATE",
    { ended: true, status: 200 },
  ],
  ["none of a chunked body", chunked(""), "HPE_INVALID_EOF_STATE", { ended: true, status: 200 }],
  ["inside a chunk-size line", chunked("a"), "HPE_INVALID_EOF_STATE", { ended: true, status: 200 }],
  ["after a chunk-size line's CR", chunked("5\r"), "HPE_INVALID_EOF_STATE", { ended: true, status: 200 }],
  ["inside chunk data", chunked("5\r\nhel"), "HPE_INVALID_EOF_STATE", { ended: true, status: 200 }],
  ["before the CRLF after chunk data", chunked("5\r\nhello"), "HPE_INVALID_EOF_STATE", { ended: true, status: 200 }],
  ["between the CR and LF after chunk data", chunked("5\r\nhello\r"), "HPE_INVALID_EOF_STATE", { ended: true, status: 200 }],
  ["before the last chunk", chunked("5\r\nhello\r\n"), "HPE_INVALID_EOF_STATE", { ended: true, status: 200 }],
  ["after the last chunk's line", chunked("5\r\nhello\r\n0\r\n"), "HPE_INVALID_EOF_STATE", { ended: true, status: 200 }],
  ["inside trailers", chunked("0\r\nT: v"), "HPE_INVALID_EOF_STATE", { ended: true, status: 200 }],
  ["before the empty line after trailers", chunked("0\r\nT: v\r\n"), "HPE_INVALID_EOF_STATE", { ended: true, status: 200 }],
];

// Valid answers at the limits: taken however they are split.
type Edge = [name: string, data: string, expected: Partial<Seen>, opts?: { ended?: boolean; method?: string }];
const BOUNDARIES: Edge[] = [
  ["a head of exactly MAX_HEAD_BYTES", headOf(MAX_HEAD_BYTES), { status: 200, complete: true }],
  ["interim heads and a final head of MAX_HEAD_BYTES together", headOf(MAX_HEAD_BYTES, INTERIM_100), { status: 200, complete: true }],
  [
    "a chunk-size line of exactly 1 KB with its CRLF",
    chunked(`5;${"a".repeat(MAX_CHUNK_LINE_BYTES - 4)}\r\nhello\r\n0\r\n\r\n`),
    { status: 200, complete: true },
  ],
  ["trailers of exactly 1 KB", chunked(`0\r\nT: ${"v".repeat(MAX_CHUNK_LINE_BYTES - 5)}\r\n\r\n`), { status: 200, complete: true }],
  ["a 12-digit chunk size", chunked("000000000005\r\nhello\r\n0\r\n\r\n"), { status: 200, complete: true }],
  ["BWS before a chunk extension (RFC 9112 section 7.1.1)", chunked("5 \t;a=b\r\nhello\r\n0 ;x\r\n\r\n"), { status: 200, complete: true }],
  [
    "a bad Content-Length on a HEAD answer (no body whatever the fields say)",
    withFields("Content-Length: abc\r\n"),
    { status: 200, complete: true },
    { method: "HEAD" },
  ],
  ["Content-Length 5 and 5, 5", withFields("Content-Length: 5\r\nContent-Length: 5 ,\t5\r\n", "hello"), { status: 200, complete: true }],
  [
    "a Content-Length of 15 digits, leading zeros",
    withFields("Content-Length: 000000000000005\r\n", "hello"),
    { status: 200, complete: true },
  ],
  [
    "a 304 with a Content-Length and no body",
    "HTTP/1.1 304 Not Modified\r\nContent-Length: 1234\r\n\r\n",
    { status: 304, complete: true, reusable: true },
  ],
  [
    "a 204 with Transfer-Encoding and no body",
    "HTTP/1.1 204 No Content\r\nTransfer-Encoding: chunked\r\n\r\n",
    { status: 204, complete: true },
  ],
  [
    "a HEAD answer with both framings",
    withFields("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"),
    { status: 200, complete: true },
    { method: "HEAD" },
  ],
  // 0xA0 is a byte of the coding, not whitespace: not "chunked", so read until the close as llhttp does.
  [
    "Transfer-Encoding: chunked then 0xA0",
    withFields("Transfer-Encoding: chunked\xa0\r\n", "5\r\nhello\r\n0\r\n\r\n"),
    { status: 200, complete: false, reusable: false },
  ],
  [
    "the same, once closed",
    withFields("Transfer-Encoding: chunked\xa0\r\n", "5\r\nhello\r\n0\r\n\r\n"),
    { status: 200, complete: true, reusable: false },
    { ended: true },
  ],
  ["a close-delimited body, once closed", withFields("", "hello"), { status: 200, complete: true, reusable: false }, { ended: true }],
  [
    "Connection: keep-alive, close over HTTP/1.0",
    "HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n",
    { complete: true, reusable: false },
  ],
  [
    "Connection: keep-alive then 0xA0 over HTTP/1.0 (not the keep-alive token)",
    "HTTP/1.0 200 OK\r\nConnection: keep-alive\xa0\r\nContent-Length: 0\r\n\r\n",
    { complete: true, reusable: false },
  ],
  [
    "chunked over HTTP/1.0 with keep-alive (RFC 9112 section 6.1)",
    "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
    { complete: true, reusable: false },
  ],
  [
    "framing and Connection fields of an interim head (ignored)",
    "HTTP/1.1 100 Continue\r\nContent-Length: 5\r\nConnection: close\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    { status: 200, complete: true, reusable: true },
  ],
  [
    "bytes after a complete answer",
    withFields("Content-Length: 0\r\n", "HTTP/1.1 200 OK\r\n\r\n"),
    { status: 200, complete: true, reusable: false },
  ],
];

const CODES = [
  "HPE_INVALID_STATUS",
  "HPE_HEADER_OVERFLOW",
  "HPE_INVALID_CONTENT_LENGTH",
  "HPE_UNEXPECTED_CONTENT_LENGTH",
  "HPE_INVALID_TRANSFER_ENCODING",
  "HPE_INVALID_CHUNK_SIZE",
  "HPE_INVALID_HEADER_TOKEN",
  "HPE_INVALID_EOF_STATE",
  "ECONNRESET",
];

describe(`malformed answers (seed ${SEED})`, () => {
  test.each(MALFORMED)("%s", (_name, text, code, opts = {}) => {
    const data = latin1(text);
    const expected: Seen = { status: opts.status, complete: false, error: code, reusable: false };
    const r = new Rng(eventSeed(SEED, STREAM.malformed, data.length));
    for (const [how, chunks] of splits(r, data)) {
      expect([how, outcome(opts.method ?? "GET", chunks, opts.ended ?? false)]).toEqual([how, expected]);
    }
    // Nothing changes once an error is set: not more bytes, not the end of the connection.
    const reader = new AnswerReader(opts.method ?? "GET");
    reader.read(data);
    if (opts.ended) reader.end();
    reader.read(latin1("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"));
    reader.end();
    expect(seen(reader)).toEqual(expected);
    expect(reader.received).toBe(data.length + 38);
    expect(CODES).toContain(reader.error?.code);
  });

  test.each(BOUNDARIES)("%s", (_name, text, expected, opts = {}) => {
    const data = latin1(text);
    const r = new Rng(eventSeed(SEED, STREAM.boundary, data.length));
    for (const [how, chunks] of splits(r, data)) {
      const got = outcome(opts.method ?? "GET", chunks, opts.ended ?? false);
      // Only the fields named are expected; never an error, never a throw.
      expect([how, got]).toEqual([how, typeof got === "string" ? "no throw" : { ...got, ...expected, error: undefined }]);
    }
  });

  test("a head of exactly MAX_HEAD_BYTES is that long", () => {
    expect(BOUNDARIES[0][1].length).toBe(MAX_HEAD_BYTES);
    expect(MALFORMED.find(([name]) => name === "a head of MAX_HEAD_BYTES + 1")?.[1].length).toBe(MAX_HEAD_BYTES + 1);
    expect(BOUNDARIES[1][1].length).toBe(MAX_HEAD_BYTES);
  });
});

// ---------------------------------------------------------------------------------------------
// Random mutations

const TOUCHY = [0x0d, 0x0a, 0x00, 0x20, 0x09, 0x3a, 0x2c, 0x3b, 0x30, 0x35, 0x66, 0x7f, 0x80, 0xa0, 0xff];

/** A valid answer (a small one) with 1-4 bytes flipped, inserted or deleted, mostly in or near its head. */
function mutated(seed: number): { base: Answer; data: Buffer; edits: string[] } {
  const r = new Rng(seed ^ 0x9e37_79b9);
  let base = validAnswer(seed);
  for (let i = 1; base.data.length > 3000; i++) base = validAnswer((seed + i) >>> 0);
  const bytes = [...base.data];
  const edits: string[] = [];
  for (let n = r.range(1, 4); n > 0; n--) {
    const near = Math.min(bytes.length, base.headEnd + 40);
    const at = r.chance(0.7) ? r.int(near + 1) : r.int(bytes.length + 1);
    const b = r.chance(0.5) ? r.pick(TOUCHY) : r.int(256);
    const k = r.float();
    if (k < 0.3 && at < bytes.length) {
      edits.push(`byte ${at} ${bytes[at]} -> ${b}`);
      bytes[at] = b;
    } else if (k < 0.45 && at < bytes.length) {
      const bit = 1 << r.int(8);
      edits.push(`byte ${at} ${bytes[at]} ^ ${bit}`);
      bytes[at] ^= bit;
    } else if (k < 0.8) {
      edits.push(`insert ${b} at ${at}`);
      bytes.splice(at, 0, b);
    } else if (at < bytes.length) {
      edits.push(`delete ${bytes[at]} at ${at}`);
      bytes.splice(at, 1);
    }
  }
  return { base, data: Buffer.from(bytes), edits };
}

/** What must hold of a reader whatever it was fed. */
function invariants(reader: AnswerReader): string[] {
  const problems: string[] = [];
  if (reader.complete && reader.error) problems.push(`complete with an error (${reader.error.code})`);
  if (reader.error && reader.reusable) problems.push(`reusable with an error (${reader.error.code})`);
  if (reader.error && !CODES.includes(reader.error.code)) problems.push(`unknown code ${reader.error.code}`);
  const s = reader.status;
  if (s !== undefined && !(Number.isInteger(s) && s >= 100 && s <= 999 && (s >= 200 || s === 101))) problems.push(`status ${s}`);
  return problems;
}

/** Feeds `chunks`, then ends the connection, then sends more: every step checked. */
function checkMutation(method: string, chunks: Buffer[]): { problems: string[]; final: Seen | undefined } {
  const reader = new AnswerReader(method);
  const steps: Array<[string, () => void]> = chunks.map((c, i) => [`chunk ${i} (${c.length} bytes)`, () => reader.read(c)]);
  steps.push(["end()", () => reader.end()], ["a read after end()", () => reader.read(latin1("HTTP/1.1 200 OK\r\n\r\n"))]);
  let final: Seen | undefined;
  for (const [what, step] of steps) {
    const before = seen(reader);
    try {
      step();
    } catch (err) {
      return { problems: [`${what} threw ${String(err)}`], final };
    }
    const after = seen(reader);
    const problems = invariants(reader);
    if (before.error && !same(after, before)) problems.push(`changed after its error: ${JSON.stringify(after)}`);
    if (before.complete && (!after.complete || after.error || after.status !== before.status))
      problems.push(`changed after complete: ${JSON.stringify(after)}`);
    if (before.status !== undefined && after.status !== before.status) problems.push(`status ${before.status} became ${after.status}`);
    if (problems.length > 0) return { problems: problems.map((p) => `after ${what}: ${p}`), final };
    if (what === "end()") final = after;
  }
  return { problems: [], final };
}

describe(`random mutations of valid answers (seed ${SEED})`, () => {
  test(`${MUTATIONS} mutated answers: no throw, no contradiction, the same outcome however split`, () => {
    const problems: string[] = [];
    let failures = 0;
    const tally = { errors: 0, complete: 0, status: 0 };
    for (let i = 0; i < MUTATIONS; i++) {
      const seed = eventSeed(SEED, STREAM.mutation, i);
      const { base, data, edits } = mutated(seed);
      const r = new Rng(seed ^ 0x3f3f_3f3f);
      const ways: Array<[string, Buffer[]]> = [
        ["whole", cutAt(data, [])],
        ["cut at random", cutAt(data, randomCuts(r, data.length))],
      ];
      if (i % 8 === 0) ways.push(["byte by byte", cutAt(data, everyByte(data.length))]);
      const finals: string[] = [];
      for (const [how, chunks] of ways) {
        const { problems: wrong, final } = checkMutation(base.method, chunks);
        if (wrong.length > 0) {
          failures++;
          if (problems.length < 6)
            problems.push(`mutated(${seed}) ${how}, ${edits.join("; ")} of ${base.summary}\n  ${wrong.join("\n  ")}\n  ${show(data)}`);
          break;
        }
        finals.push(`${how}: ${JSON.stringify(final)}`);
        if (how === "whole") {
          if (final?.error) tally.errors++;
          if (final?.complete) tally.complete++;
          if (final?.status !== undefined) tally.status++;
        }
      }
      // The bytes decide, not how they arrive (only the error's code is compared, not its message).
      if (new Set(finals.map((f) => f.slice(f.indexOf(":")))).size > 1) {
        failures++;
        if (problems.length < 6)
          problems.push(`mutated(${seed}), ${edits.join("; ")}: depends on the split\n  ${finals.join("\n  ")}\n  ${show(data)}`);
      }
    }
    expect({ failures, first: problems }).toEqual({ failures: 0, first: [] });
    // Mutations break some answers and leave others whole: both sides are exercised.
    expect(tally.errors).toBeGreaterThan(MUTATIONS * 0.2);
    expect(tally.complete).toBeGreaterThan(MUTATIONS * 0.2);
    expect(tally.status).toBeGreaterThan(tally.complete);
  });
});

// ---------------------------------------------------------------------------------------------
// 101

describe("101 Switching Protocols", () => {
  const UPGRADE = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
  // This client never asks to switch: a 101 is the answer (no verdict), complete at its head,
  // and the connection is not HTTP/1.1 any more.
  test.each([
    ["a 101", UPGRADE, "GET"],
    ["a 101 after 100 Continue", `HTTP/1.1 100 Continue\r\n\r\n${UPGRADE}`, "GET"],
    ["a 101 over HTTP/1.0", "HTTP/1.0 101 Switching\r\nConnection: keep-alive\r\n\r\n", "GET"],
    ["a 101 with framing fields (no body read)", "HTTP/1.1 101 x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", "GET"],
    ["a 101 to a HEAD", UPGRADE, "HEAD"],
  ])("%s is the final status, complete and not reusable", (_name, text, method) => {
    const data = latin1(text);
    expect(verdictOf(101)).toBe("no_verdict");
    const reader = new AnswerReader(method);
    for (let i = 0; i < data.length; i++) {
      reader.read(data.subarray(i, i + 1));
      const last = i === data.length - 1;
      expect([i, seen(reader)]).toEqual([
        i,
        { status: last ? 101 : undefined, complete: last, error: undefined, reusable: last ? false : reader.reusable },
      ]);
    }
    // What follows is another protocol's: not an error, nothing changes.
    reader.read(latin1("\x81\x05hello\x88\x00"));
    reader.end();
    expect(seen(reader)).toEqual({ status: 101, complete: true, error: undefined, reusable: false });
  });
});

// ---------------------------------------------------------------------------------------------
// requestHead

/** Whether requestHead must take a header value: no control but tab, no DEL, nothing above 0xFF. */
const validValue = (v: string): boolean => !/[^\t\x20-\x7e\x80-\xff]/.test(v);
const isToken = (s: string): boolean => /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(s);
const isTarget = (s: string): boolean => /^[\x21-\x7e]+$/.test(s);

/** The head requestHead must write for `req`. */
const expectedHead = (req: NodeRequest): string =>
  `${req.method} ${req.path} HTTP/1.1\r\n${req.headers.map(([k, v]) => `${k}: ${v}\r\n`).join("")}Connection: keep-alive\r\n\r\n`;

/** requestHead's head, or the code of what it threw. */
function headOrCode(req: NodeRequest): string {
  try {
    return requestHead(req);
  } catch (err) {
    return `threw ${(err as NodeJS.ErrnoException).code}`;
  }
}

const request = (method: string, path: string, headers: Array<[string, string]> = []): NodeRequest => ({
  method,
  path,
  headers,
  body: Buffer.alloc(0),
});

function randomRequest(seed: number): NodeRequest {
  const r = new Rng(seed);
  const any = (n: number): string => Array.from({ length: n }, () => char(r.int(256))).join("");
  const token = (): string => Array.from({ length: r.range(1, 12) }, () => TCHAR[r.int(TCHAR.length)]).join("");
  // Now and then one byte of anything in the method or target: valid only if it still is a token / visible ASCII.
  const spoil = (s: string): string => (r.chance(0.05) ? s.slice(0, 1) + any(1) + s.slice(1) : s);
  const method = spoil(r.chance(0.7) ? r.pick(["GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"]) : token());
  const path = spoil(`/${Array.from({ length: r.range(0, 40) }, () => char(r.range(0x21, 0x7e))).join("")}`);
  const headers = Array.from({ length: r.range(0, 8) }, (): [string, string] => {
    const name = r.chance(0.03) ? any(r.range(1, 6)) : mixCase(r, r.chance(0.5) ? r.pick(COMMON_FIELDS) : token());
    let value = "";
    // Mostly what a value may hold; now and then any byte, rarely a char above 0xFF.
    for (let n = r.range(0, 30); n > 0; n--)
      value += r.chance(0.97) ? fieldValue(r, 1) || " " : r.chance(0.9) ? any(1) : char(r.range(0x100, 0xffff));
    return [name, value];
  });
  return request(method, path, headers);
}

describe(`requestHead (seed ${SEED})`, () => {
  test(`${REQUEST_HEADS} random requests: exactly the head, or ERR_INVALID_CHAR`, () => {
    const problems: string[] = [];
    const tally = { valid: 0, invalid: 0 };
    for (let i = 0; i < REQUEST_HEADS; i++) {
      const seed = eventSeed(SEED, STREAM.request, i);
      const req = randomRequest(seed);
      const valid = isToken(req.method) && isTarget(req.path) && req.headers.every(([k, v]) => isToken(k) && validValue(v));
      tally[valid ? "valid" : "invalid"]++;
      const got = headOrCode(req);
      const wanted = valid ? expectedHead(req) : "threw ERR_INVALID_CHAR";
      if (got !== wanted && problems.length < 6)
        problems.push(`randomRequest(${seed}): ${asciiJson(req)}\n  got    ${asciiJson(got)}\n  wanted ${asciiJson(wanted)}`);
    }
    expect(problems).toEqual([]);
    expect(tally.valid).toBeGreaterThan(REQUEST_HEADS * 0.2);
    expect(tally.invalid).toBeGreaterThan(REQUEST_HEADS * 0.2);
  });

  test("every byte 0x00-0xFF in a value: refused iff a control but tab, or DEL", () => {
    for (let b = 0; b <= 0xff; b++) {
      const req = request("GET", "/", [
        ["Host", "node"],
        ["X-Byte", `a${char(b)}b`],
      ]);
      const refused = b <= 0x08 || (b >= 0x0a && b <= 0x1f) || b === 0x7f;
      expect([b, headOrCode(req)]).toEqual([b, refused ? "threw ERR_INVALID_CHAR" : expectedHead(req)]);
      // Written as latin1, as h1-transport does: each char one byte.
      if (!refused) expect(latin1(requestHead(req)).length).toBe(expectedHead(req).length);
    }
  });

  test.each([
    ["CR in a value", request("GET", "/", [["X-A", "a\rb"]])],
    ["LF in a value", request("GET", "/", [["X-A", "a\nb"]])],
    ["CRLF and a forged field in a value", request("GET", "/", [["X-A", "a\r\nX-Wallarm-Mode: off"]])],
    ["CRLFCRLF and a second request in a value", request("GET", "/", [["X-A", "a\r\n\r\nGET /other HTTP/1.1"]])],
    ["NUL in a value", request("GET", "/", [["X-A", "\0"]])],
    ["DEL in a value", request("GET", "/", [["X-A", "\x7f"]])],
    // Written as latin1, U+010A would go out as its low byte: LF.
    ["U+010A in a value", request("GET", "/", [["X-A", "a\u010aX-Injected: 1"]])],
    ["U+0100 in a value", request("GET", "/", [["X-A", "\u0100"]])],
    ["an emoji in a value", request("GET", "/", [["X-A", "😀"]])],
    ["a space in a name", request("GET", "/", [["X A", "b"]])],
    ["a colon in a name", request("GET", "/", [["X:A", "b"]])],
    ["an empty name", request("GET", "/", [["", "b"]])],
    ["a non-ASCII name", request("GET", "/", [["Xé", "b"]])],
    ["CRLF in a name", request("GET", "/", [["X\r\nY", "b"]])],
    ["a method with a space", request("GE T", "/")],
    ["a method with CRLF", request("GET\r\n", "/")],
    ["an empty method", request("", "/")],
    ["a target with a space", request("GET", "/a b")],
    ["a target with a tab", request("GET", "/a\tb")],
    ["a target with CRLF", request("GET", "/a\r\nX: y")],
    ["a target with non-ASCII", request("GET", "/é")],
    ["a target with an emoji", request("GET", "/😀")],
    ["a target with DEL", request("GET", "/\x7f")],
    ["an empty target", request("GET", "")],
  ])("refuses %s (ERR_INVALID_CHAR)", (_name, req) => {
    expect(headOrCode(req)).toBe("threw ERR_INVALID_CHAR");
  });

  test("writes the head exactly: fields in order as they are, then Connection: keep-alive", () => {
    const req = request("POST", "/waf/a?b=%20c", [
      ["Host", "node.example"],
      ["x-empty", ""],
      ["X-Spaces", " \tinside\t "],
      ["X-Latin1", "caf\xc3\xa9 \x80\xff"],
      ["x-a", "1"],
      ["X-A", "2"],
    ]);
    expect(requestHead(req)).toBe(
      "POST /waf/a?b=%20c HTTP/1.1\r\nHost: node.example\r\nx-empty: \r\nX-Spaces:  \tinside\t \r\n" +
        "X-Latin1: caf\xc3\xa9 \x80\xff\r\nx-a: 1\r\nX-A: 2\r\nConnection: keep-alive\r\n\r\n",
    );
    expect(requestHead(request("GET", "*"))).toBe("GET * HTTP/1.1\r\nConnection: keep-alive\r\n\r\n");
  });
});

// The node's name is resolved once and refreshed in the background after a minute, and a hung
// resolver costs a request at most LOOKUP_TIMEOUT_MS, one outstanding query in all. The resolver
// here is a real DNS client (c-ares) asking a real UDP server on loopback.
import { createSocket, Socket } from "node:dgram";
import { Resolver } from "node:dns";
import type { LookupAddress } from "node:dns";
import { onceResolver, type Resolve } from "../../handlers/connect";
import { until } from "../support/eventually";

/** A UDP DNS server on loopback: counts queries; answers an A record once told which address. */
async function dnsServer(): Promise<{ port: number; queries: () => number; answer(address?: string): void; stop(): void }> {
  const socket: Socket = createSocket("udp4");
  let queries = 0;
  let answering: number[] | undefined;
  socket.on("message", (msg, peer) => {
    queries++;
    if (!answering) return;
    // Header: same id, QR+RD+RA, one question, one answer; then the question, then A 127.0.0.1.
    const question = msg.subarray(12);
    const header = Buffer.from([msg[0], msg[1], 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
    const answer = Buffer.from([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, ...answering]);
    socket.send(Buffer.concat([header, question, answer]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    port: socket.address().port,
    queries: () => queries,
    answer: (address = "127.0.0.1") => void (answering = address.split(".").map(Number)),
    stop: () => socket.close(),
  };
}

function cares(port: number): Resolve {
  const resolver = new Resolver({ timeout: 5000, tries: 1 });
  resolver.setServers([`127.0.0.1:${port}`]);
  return (hostname, done) => resolver.resolve4(hostname, (err, addresses) => done(err, addresses?.[0] ?? "", 4));
}

type Result = { err: NodeJS.ErrnoException | null; address: string | LookupAddress[] };
const lookupOnce = (lookup: ReturnType<typeof onceResolver>["lookup"], all = false): Promise<Result> =>
  new Promise((resolve) => lookup("wallarm-node.test", { all }, (err, address) => resolve({ err, address })));

test("a resolver that never answers: every caller gives up in time, one query in all", async () => {
  const server = await dnsServer();
  try {
    const { lookup } = onceResolver("wallarm-node.test", cares(server.port));
    const results = await Promise.all([lookupOnce(lookup), lookupOnce(lookup, true), lookupOnce(lookup)]);
    // EAI_AGAIN is the connector's own LOOKUP_TIMEOUT_MS giving up (armed first, it fires first);
    // c-ares giving up at its 5 s would say ETIMEOUT.
    for (const r of results) expect(r.err?.code).toBe("EAI_AGAIN");
    // The query is still outstanding: a new caller joins it instead of asking again.
    await lookupOnce(lookup);
    expect(server.queries()).toBe(1);
  } finally {
    server.stop();
  }
});

test("resolved once, reused without asking again, asked again after forget()", async () => {
  const server = await dnsServer();
  server.answer();
  try {
    const { lookup, forget } = onceResolver("wallarm-node.test", cares(server.port));
    expect((await lookupOnce(lookup)).address).toBe("127.0.0.1");
    expect((await lookupOnce(lookup, true)).address).toEqual([{ address: "127.0.0.1", family: 4 }]);
    expect(server.queries()).toBe(1);
    forget();
    expect((await lookupOnce(lookup)).address).toBe("127.0.0.1");
    expect(server.queries()).toBe(2);
  } finally {
    server.stop();
  }
});

test("an address a minute old is looked up again in the background: a moved name reaches warm instances", async () => {
  const server = await dnsServer();
  server.answer("127.0.0.1");
  let clock = 0;
  try {
    const { lookup } = onceResolver("wallarm-node.test", cares(server.port), 60_000, () => clock);
    expect((await lookupOnce(lookup)).address).toBe("127.0.0.1");
    // DNS failover: the record now points elsewhere.
    server.answer("127.0.0.2");
    clock = 59_999;
    expect((await lookupOnce(lookup)).address).toBe("127.0.0.1");
    expect(server.queries()).toBe(1);
    // Due: the caller gets the old address at once, the refresh runs beside it.
    clock = 60_000;
    expect((await lookupOnce(lookup)).address).toBe("127.0.0.1");
    await until(() => server.queries() === 2, "the background refresh query");
    // The answer is in flight: lookups keep getting the old address until it lands.
    let address: Result["address"] = "";
    for (let tries = 0; address !== "127.0.0.2"; tries++) {
      if (tries === 250) throw new Error(`the refreshed address never came: ${String(address)}`);
      address = (await lookupOnce(lookup)).address;
      if (address !== "127.0.0.2") await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(server.queries()).toBe(2);
  } finally {
    server.stop();
  }
});

test("a refresh that fails keeps the address it had", async () => {
  const server = await dnsServer();
  server.answer("127.0.0.1");
  let clock = 0;
  const flaky: Resolve = (hostname, done) =>
    server.queries() === 0 ? cares(server.port)(hostname, done) : done(Object.assign(new Error("refused"), { code: "ESERVFAIL" }), "", 4);
  try {
    const { lookup } = onceResolver("wallarm-node.test", flaky, 60_000, () => clock);
    expect((await lookupOnce(lookup)).address).toBe("127.0.0.1");
    clock = 120_000;
    expect((await lookupOnce(lookup)).address).toBe("127.0.0.1");
    expect((await lookupOnce(lookup)).address).toBe("127.0.0.1");
  } finally {
    server.stop();
  }
});

// The HTTP/1.1 exchanges the connector runs in this process, seen through the diagnostics
// channel its transport publishes on (handlers/h1-transport.ts): the bundles coldStart loads
// publish on the same channel. An async copy or a response report returns before the node's
// answer, so its connection is busy until that answer is read; a test that needs the connection
// back in the pool waits for the exchange to be over here instead of sleeping for a guessed time.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { EXCHANGE_CHANNEL, type ExchangePhase } from "../../handlers/h1-transport";
import type { NodeRequest } from "../../handlers/protocol";
import { until } from "./eventually";

export interface Http1Exchanges {
  /** Exchanges started since watching began. */
  started(): number;
  /** Resolves once at least `count` requests are written in full (handed to the kernel). */
  written(count: number): Promise<void>;
  /**
   * Resolves once at least `count` exchanges have started and every one started is over:
   * answered in full and its connection back in the pool, or torn down.
   */
  over(count: number): Promise<void>;
  stop(): void;
}

export function watchHttp1Exchanges(): Http1Exchanges {
  // Counted per exchange started while watching: one started before (a copy still in flight
  // from an earlier test) may end during the watch and must not count.
  const watched = new Set<NodeRequest>();
  const seen: Record<ExchangePhase, number> = { start: 0, written: 0, over: 0 };
  const onMessage = (message: unknown): void => {
    const { phase, request } = message as { phase: ExchangePhase; request: NodeRequest };
    if (phase === "start") watched.add(request);
    if (watched.has(request)) seen[phase]++;
  };
  subscribe(EXCHANGE_CHANNEL, onMessage);
  return {
    started: () => seen.start,
    written: (count) => until(() => seen.written >= count, `${count} HTTP/1.1 request(s) written`),
    over: (count) => until(() => seen.start >= count && seen.over === seen.start, `${count} HTTP/1.1 exchange(s) over`),
    stop: () => void unsubscribe(EXCHANGE_CHANNEL, onMessage),
  };
}

// The HTTP/1.1 exchanges run by Node's http client in this process, seen through its documented
// diagnostics channel: the bundles coldStart loads use the same node:http(s). An async copy or a
// response report returns before the node's answer, so its connection is busy until that answer
// is read; a test that needs the connection back in the pool waits for the exchange to be over
// here instead of sleeping for a guessed time.
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import type { ClientRequest } from "node:http";
import { until } from "./eventually";

const REQUEST_START = "http.client.request.start";

export interface Http1Exchanges {
  /** Exchanges started since watching began. */
  started(): number;
  /** Resolves once at least `count` requests are written in full (their "finish": in the kernel). */
  written(count: number): Promise<void>;
  /**
   * Resolves once at least `count` exchanges have started and every one started is over:
   * answered in full (Node emits the request's "close" in the same tick as it frees the socket
   * for the agent's pool) or torn down.
   */
  over(count: number): Promise<void>;
  stop(): void;
}

export function watchHttp1Exchanges(): Http1Exchanges {
  let started = 0;
  let finished = 0;
  let closed = 0;
  const onStart = (message: unknown): void => {
    const { request } = message as { request: ClientRequest };
    started++;
    if (request.writableFinished) finished++;
    else request.once("finish", () => finished++);
    request.once("close", () => closed++);
  };
  subscribe(REQUEST_START, onStart);
  return {
    started: () => started,
    written: (count) => until(() => finished >= count, `${count} HTTP/1.1 request(s) written`),
    over: (count) => until(() => started >= count && closed === started, `${count} HTTP/1.1 exchange(s) over`),
    stop: () => void unsubscribe(REQUEST_START, onStart),
  };
}

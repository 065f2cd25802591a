// What the node client needs from a connection, whatever the HTTP version under it.

/** One request in flight to the node. Promises never reject: a failure resolves to its Error. */
export interface Exchange {
  /** Settles once every byte of the request is handed to the kernel (or the exchange failed). */
  written: Promise<Error | undefined>;
  /** The node's status once its answer's head arrived, or why there will be none. */
  answer: Promise<number | Error>;
  /**
   * True when the error shows the node closed or refused a connection that had served before,
   * before answering: the request is worth one more try on a fresh connection.
   */
  retryable(err: Error): boolean;
  /** True when the node said (HTTP/2 GOAWAY) it processed the request, answer or not. */
  processed(): boolean;
  /** Gives up: the request is cancelled unless its answer is already complete. */
  abort(): void;
}

/** Pooled connections idle longer than this are closed before use: below the 5 s keep-alive
 * timeout of Node and Apache servers (nginx: 75 s), so the node rarely closes one under us. */
export const IDLE_MS = 4000;

export const settleOnce = <T>(resolve: (value: T) => void): ((value: T) => void) => {
  let done = false;
  return (value) => {
    if (done) return;
    done = true;
    resolve(value);
  };
};

/** An Error carrying a Node-style code, as the node client classifies failures by code. */
export const codedError = (message: string, code: string): Error & { code: string } => Object.assign(new Error(message), { code });

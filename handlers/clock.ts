/** Milliseconds since the epoch. One short name for the many timestamps the hot path takes. */
export const now = (): number => Date.now();

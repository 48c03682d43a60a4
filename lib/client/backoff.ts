/**
 * How long to wait before trying again: exponential backoff with jitter for reconnects,
 * subscribe retries and resyncs (a refused handshake's `Retry-After`: refused-handshake.ts).
 * @module
 */

/** Delay before attempt `attempt` (0-based): equal jitter over an exponential curve. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * The longest wait a server's retry time (a refused handshake's `Retry-After`, a 429's
 * `meta.retryAfter`) is taken for: an hour, the connection budget's period. A longer one (days, a
 * far date) would overflow the timer, which then fires at once.
 */
export const RETRY_AFTER_MAX_MS = 3_600_000;

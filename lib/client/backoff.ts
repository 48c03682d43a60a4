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

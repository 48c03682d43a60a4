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

/** The shortest wait a 429's `meta.retryAfter` is taken for: a hostile 0.001 s must not make a loop of requests. */
export const RETRY_AFTER_MIN_MS = 100;

/**
 * The wait a 429 error frame asks for in `meta.retryAfter` (seconds), in ms within
 * [RETRY_AFTER_MIN_MS, RETRY_AFTER_MAX_MS]; undefined when it names no usable time (or is no 429).
 */
export function retryAfterMs(frame: { readonly status: number; readonly meta?: Readonly<Record<string, unknown>> }): number | undefined {
  if (frame.status !== 429) return undefined;
  const seconds = Number(frame.meta?.retryAfter);
  if (!Number.isFinite(seconds) || seconds <= 0) return undefined;
  return Math.min(Math.max(seconds * 1000, RETRY_AFTER_MIN_MS), RETRY_AFTER_MAX_MS);
}

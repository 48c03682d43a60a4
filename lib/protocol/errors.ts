/**
 * Typed errors delivered to observers. None of them ever carries an API secret or signature.
 * @module
 */
import type { Request } from './frames';
import { redact } from './redact';

/** Base class of every error this library delivers. */
export class BitmexError extends Error {
  override name = 'BitmexError';
}

/** An error frame from the server (`{status, error, meta, request}`). */
export class BitmexApiError extends BitmexError {
  override name = 'BitmexApiError';
  /** HTTP-like status: 400, 401, 403, 429, 503, ... */
  readonly status: number;
  /** Extra data sent by the server, e.g. `{retryAfter: 1}` for 429. */
  readonly meta: Readonly<Record<string, unknown>>;
  /** The request that failed, with any auth signature redacted. */
  readonly request: Request | undefined;
  /**
   * When the client sends the refused request again, ms from the report: a subscribe refused with
   * 429 or a 5xx, or the dead man's switch's `cancelAllAfter` refused with a 429 naming
   * `retryAfter`; undefined when it does not.
   */
  readonly retryInMs: number | undefined;
  constructor(status: number, message: string, meta: Readonly<Record<string, unknown>> = {}, request?: Request, retry: { readonly retryInMs?: number } = {}) {
    // Server text, all of it: an echoed auth request may sit in any of the three.
    super(redact(message));
    this.status = status;
    this.meta = redact(meta);
    this.request = request === undefined ? undefined : redact(request);
    this.retryInMs = retry.retryInMs;
  }
}

/**
 * A connection lost or not made: on `errors$` for each one that will be retried (with `attempt`
 * and `retryInMs`), else the streams' error when reconnecting is off.
 */
export class BitmexConnectionError extends BitmexError {
  override name = 'BitmexConnectionError';
  /**
   * WebSocket close code (the peer's, or): 1006 an abrupt close, 4000 a dead heartbeat, 4003 no welcome or
   * authentication reply in time (or an `authKeyExpires` answered with 429/5xx), 4004 a subscribe or
   * unsubscribe left unanswered, or a subscribe acknowledged whose partial did not come
   * (`subscribeTimeoutMs`).
   */
  readonly code: number;
  /** Close reason given by the peer or by this library (or the socket's error, e.g. `connect ECONNREFUSED ...`). */
  readonly reason: string;
  /** Which reconnect attempt failed (1 = the first retry), when one is reported on `errors$`. */
  readonly attempt: number | undefined;
  /** When the next attempt starts, ms from the report; undefined when none will. */
  readonly retryInMs: number | undefined;
  constructor(
    code: number,
    reason: string,
    message = `connection closed (${code}${reason ? `: ${reason}` : ''})`,
    retry: { readonly attempt?: number; readonly retryInMs?: number } = {},
  ) {
    super(redact(message));
    this.code = code;
    this.reason = redact(reason);
    this.attempt = retry.attempt;
    this.retryInMs = retry.retryInMs;
  }
}

/** The local image of a topic did not match a frame (update/delete for an unknown row, ...). */
export class BitmexInconsistencyError extends BitmexError {
  override name = 'BitmexInconsistencyError';
  readonly table: string;
  readonly topic: string;
  constructor(table: string, topic: string, message: string) {
    // The message quotes the row's key, which is server text.
    super(redact(message));
    this.table = table;
    this.topic = topic;
  }
}

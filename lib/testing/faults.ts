/**
 * Armed fault injections of the simulator: counters the server consumes as handshakes and
 * subscriptions arrive, plus the silence switch.
 * @module
 */
import type { Row } from '../protocol/frames';
import type { TableSchema } from './tables';

/** Counters and switches of the faults to inject next. */
export class Faults {
  /** Accept connections and requests but send nothing at all. */
  silent = false;
  private handshakeRefusals = 0;
  private handshakeRetryAfter = 1;
  private rateLimited = 0;
  private rateLimitRetryAfter = 1;
  private pendingRejections = 0;
  private cancelAllAfterLimited = 0;
  private cancelAllAfterRetryAfter = 1;
  private earlyDeltas = 0;

  /** Refuse the next `count` handshakes with HTTP 429. */
  refuseHandshakes(count: number, retryAfterSeconds: number): void {
    this.handshakeRefusals = Math.max(0, Math.floor(count));
    this.handshakeRetryAfter = retryAfterSeconds;
  }

  /** Answer the next `count` subscribe topics with the 429 error frame. */
  rateLimitSubscribes(count: number, retryAfterSeconds: number): void {
    this.rateLimited = Math.max(0, Math.floor(count));
    this.rateLimitRetryAfter = retryAfterSeconds;
  }

  /** Answer the next `count` `cancelAllAfter` requests with the 429 error frame. */
  rateLimitCancelAllAfter(count: number, retryAfterSeconds: number): void {
    this.cancelAllAfterLimited = Math.max(0, Math.floor(count));
    this.cancelAllAfterRetryAfter = retryAfterSeconds;
  }

  /** Answer the next `count` subscribe topics with the 503 error frame. */
  rejectPendingSubscribes(count: number): void {
    this.pendingRejections = Math.max(0, Math.floor(count));
  }

  /** Send a few deltas before the success and partial of the next `count` subscriptions. */
  deltasBeforePartial(count: number): void {
    this.earlyDeltas = Math.max(0, Math.floor(count));
  }

  /** Consumes one handshake refusal: its Retry-After in seconds, or undefined to accept. */
  takeHandshakeRefusal(): number | undefined {
    if (this.handshakeRefusals <= 0) return undefined;
    this.handshakeRefusals--;
    return this.handshakeRetryAfter;
  }

  /** Consumes one subscribe rate limit: its retryAfter in seconds, or undefined. */
  takeRateLimit(): number | undefined {
    if (this.rateLimited <= 0) return undefined;
    this.rateLimited--;
    return this.rateLimitRetryAfter;
  }

  /** Consumes one `cancelAllAfter` rate limit: its retryAfter in seconds, or undefined. */
  takeCancelAllAfterRateLimit(): number | undefined {
    if (this.cancelAllAfterLimited <= 0) return undefined;
    this.cancelAllAfterLimited--;
    return this.cancelAllAfterRetryAfter;
  }

  /** Consumes one pending-limit rejection. */
  takePendingRejection(): boolean {
    if (this.pendingRejections <= 0) return false;
    this.pendingRejections--;
    return true;
  }

  /** Consumes one early-deltas injection. */
  takeEarlyDeltas(): boolean {
    if (this.earlyDeltas <= 0) return false;
    this.earlyDeltas--;
    return true;
  }
}

/**
 * Deltas for a topic sent before its partial: they restate rows of the current image (so a client
 * that wrongly applied them would not notice a difference), but a client that expects the
 * partial first must drop them rather than fail on rows it does not have.
 */
export function earlyDeltaFrames(table: string, schema: TableSchema, image: readonly Row[]): string[] {
  if (schema.keys.length > 0 && image.length > 0) {
    return image.slice(0, 2).map((row) => JSON.stringify({ table, action: 'update', data: [row] }));
  }
  const last = image[image.length - 1];
  return [JSON.stringify({ table, action: 'insert', data: last ? [last] : [] })];
}

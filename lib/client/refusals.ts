/**
 * Which topics an error frame answering a subscribe refuses. BitMEX answers a multi-topic
 * subscribe topic by topic, each reply repeating the whole request.
 * @module
 */
import { BitmexApiError } from '../protocol/errors';
import type { ErrorFrame, Request } from '../protocol/frames';
import { PRIVATE_TABLES } from '../protocol/tables';
import { backoffDelay, retryAfterMs } from './backoff';

/** Backoff of refused requests and resyncs without a time from the server: first wait and cap (ms). */
export const RETRY_INITIAL_MS = 1000;
export const RETRY_MAX_MS = 30000;

/** An error frame as the error users get (`retryInMs`: when the client sends it again). */
export function apiError(frame: ErrorFrame, retryInMs?: number): BitmexApiError {
  return new BitmexApiError(frame.status, frame.error, frame.meta, frame.request, { retryInMs });
}

/** What a refusal needs to know of a topic. */
interface Requested {
  readonly name: string;
  readonly table: string;
  readonly symbol: string | undefined;
  readonly server: string;
}

/** The topic names a request asked for. */
export function topicsOf(request: Request | undefined): string[] {
  const args = request?.args;
  if (Array.isArray(args)) return args.filter((a): a is string => typeof a === 'string');
  return typeof args === 'string' ? [args] : [];
}

/**
 * The requested topics an error refuses: those its text names (topic, table or symbol), else those still unconfirmed
 * (for a 401, the private ones among them) — never a live one.
 */
export function refusedTopics<T extends Requested>(frame: ErrorFrame, requested: readonly T[]): readonly T[] {
  const pending = requested.filter((t) => t.server === 'subscribing');
  const named = namedOrAll(frame, pending);
  if (named !== pending) return named;
  if (frame.status === 401 && pending.some((t) => PRIVATE_TABLES.has(t.table))) return pending.filter((t) => PRIVATE_TABLES.has(t.table));
  return pending;
}

/** The topics an error's text names (topic, table or symbol), else all of them. */
export function namedOrAll<T extends Requested>(frame: ErrorFrame, topics: readonly T[]): readonly T[] {
  const words = wordsOf(frame.error);
  // "Unknown or expired symbol: FOO" names the symbol only: it must not fail XBTUSD asked beside it.
  const named = topics.filter((t) => words.has(t.name) || words.has(t.table) || words.has(t.symbol ?? t.name));
  return named.length > 0 ? named : topics;
}

/** Splits an error text into words that may name a topic or table. */
function wordsOf(text: string): Set<string> {
  const words = new Set<string>();
  for (const w of text.match(/[A-Za-z0-9_:.*-]+/g) ?? []) {
    words.add(w);
    words.add(w.replace(/\.+$/, ''));
  }
  return words;
}

/**
 * A 429, and any 5xx: the server's trouble, not the request's, so the request is retried
 * (erroring the observer's stream for it would end it, or crash a process that gave no error
 * callback).
 */
export function isRetryable(frame: ErrorFrame): boolean {
  return frame.status === 429 || (frame.status >= 500 && frame.status <= 599);
}

/**
 * When refused topics go out again, and their retry count then: at the server's time if it named
 * one (bounded: a hostile 0.001 s must not make a loop of requests, nor 1e10 s overflow the
 * timer), else after the backoff for `retries`. Only refusals that name no time climb the
 * backoff: a retry at the time the server asked for is no reason to wait longer after a later
 * 503 (three 429s "retry in 1 s" made the next two 503s wait 4-8 s and 8-16 s).
 */
export function retryPlan(frame: ErrorFrame, retries: number): { delay: number; retries: number } {
  const serverDelay = retryAfterMs(frame);
  return serverDelay !== undefined ? { delay: serverDelay, retries } : { delay: backoffDelay(retries, RETRY_INITIAL_MS, RETRY_MAX_MS), retries: retries + 1 };
}

/**
 * Which rows each topic's image takes. A topic (`table` or `table:SYMBOL`) owns the image its
 * partial brings; rows of a symbol go to that symbol's own topic when one is observed, else to
 * the whole table's, and only while that topic's image is live.
 * @module
 */
import type { Subscriber } from 'rxjs';
import type { DataFrame, Row } from '../protocol/frames';

/** Which connection a topic lives on. */
export type Endpoint = 'main' | 'platform';

/** Server-side state of a topic as far as this client knows. */
export type ServerState = 'none' | 'subscribing' | 'subscribed' | 'unsubscribing';

/** One topic and what the client knows of it. */
export interface Topic {
  readonly name: string;
  readonly table: string;
  readonly symbol: string | undefined;
  readonly endpoint: Endpoint;
  /** The one subscriber `share` keeps while the topic has observers. */
  observer: Subscriber<never> | undefined;
  server: ServerState;
  /** `awaiting`: a partial was asked for; `live`: it arrived and deltas apply. */
  image: 'none' | 'awaiting' | 'live';
  /** Order of the partial requests, to give a partial without `filter` to the oldest. */
  awaitSeq: number;
  /** When a rate-limited subscribe may go out again (0: not waiting). */
  retryAt: number;
  /** Refusals in a row that named no retry time: the subscribe backoff's attempt count. */
  retries: number;
  resyncTimer: ReturnType<typeof setTimeout> | undefined;
  lastResyncAt: number;
  resyncs: number;
}

/** The observed topics of one table: the whole-table one and the per-symbol ones. */
export interface TableTopics {
  whole: Topic | undefined;
  readonly bySymbol: Map<string, Topic>;
}

/**
 * The part of a table frame the observed topics' images take: a partial goes to the topic
 * awaiting it (given that topic's filter when the server left it out); delta rows pass only
 * where their symbol's topic, or else the whole table's, is live. Undefined: nothing passes.
 * Allocates only when some rows are held back.
 */
export function admitFrame(t: TableTopics, frame: DataFrame): DataFrame | undefined {
  if (frame.action === 'partial') return claimPartial(t, frame);
  const rows = frame.data;
  let kept: Row[] | undefined;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    if (feeds(t, row)) {
      if (kept !== undefined) kept.push(row);
    } else if (kept === undefined) {
      kept = rows.slice(0, i) as Row[];
    }
  }
  if (kept === undefined) return frame;
  return kept.length === 0 ? undefined : { kind: 'table', table: frame.table, action: frame.action, data: kept };
}

/**
 * The filters of the rows only `topic` feeds, to forget when it leaves or resyncs: a symbol's
 * own rows unless the whole table's image is live; the whole table's rows except those of
 * symbols whose own topic is live; everything once no topic of the table is observed (`t`
 * undefined).
 */
export function fedOnlyBy(t: TableTopics | undefined, topic: Topic, symbolsOf: () => Iterable<string>): Readonly<Record<string, string>>[] {
  if (t === undefined) return [{}];
  if (topic.symbol !== undefined) {
    const sharedWithWhole = t.whole !== topic && t.whole?.image === 'live' && t.bySymbol.get(topic.symbol) !== topic;
    return sharedWithWhole ? [] : [{ symbol: topic.symbol }];
  }
  if (t.bySymbol.size === 0) return [{}];
  return [...symbolsOf()].filter((symbol) => t.bySymbol.get(symbol)?.image !== 'live').map((symbol) => ({ symbol }));
}

function claimPartial(t: TableTopics, frame: DataFrame & { action: 'partial' }): DataFrame | undefined {
  const filter = frame.filter;
  let topic: Topic | undefined;
  if (filter !== undefined) {
    const symbol = filter.symbol;
    topic = (typeof symbol === 'string' ? t.bySymbol.get(symbol) : undefined) ?? t.whole;
  } else {
    // No filter: the oldest topic awaiting a partial, preferably the one its rows name.
    const named = frame.data[0]?.symbol;
    const byName = typeof named === 'string' ? t.bySymbol.get(named) : undefined;
    topic = byName?.image === 'awaiting' ? byName : oldestAwaiting(t);
  }
  if (topic === undefined || topic.image === 'none') return undefined;
  topic.image = 'live';
  if (filter !== undefined || topic.symbol === undefined) return frame;
  // One symbol's partial must never wipe another symbol's image.
  return { ...frame, filter: { symbol: topic.symbol } };
}

/** Whether an observed topic has a live image for `row`: its symbol's topic, else the whole table's. */
function feeds(t: TableTopics, row: Row): boolean {
  const symbol = row.symbol;
  const own = typeof symbol === 'string' ? t.bySymbol.get(symbol) : undefined;
  return (own ?? t.whole)?.image === 'live';
}

function oldestAwaiting(t: TableTopics): Topic | undefined {
  let best = t.whole?.image === 'awaiting' ? t.whole : undefined;
  for (const topic of t.bySymbol.values()) {
    if (topic.image === 'awaiting' && (best === undefined || topic.awaitSeq < best.awaitSeq)) best = topic;
  }
  return best;
}

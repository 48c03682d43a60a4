/**
 * Which rows each topic's image takes. A topic (`table` or `table:SYMBOL`) owns the image its
 * partial brings. Each BitMEX subscription is its own stream (its own partial and conflation),
 * so a symbol subscribed beside its whole table would get every delta twice: while the whole
 * table is observed, its symbols' topics are *covered* — they hold no server subscription and
 * their rows come through the whole table's image. Rows pass only while the image feeding them
 * is live.
 * @module
 */
import type { Subscriber } from 'rxjs';
import { BitmexInconsistencyError } from '../protocol/errors';
import { splitTopic, topicOf, type DataFrame, type FrameParseError, type Row } from '../protocol/frames';
import { PLATFORM_TABLES } from '../protocol/tables';
import { NO_STRING_SYMBOL, rowReason } from '../reducer/output';
import { skippedError } from './frame-guard';
import type { Timer } from './timers';

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
  /** Refusals in a row (of its subscribes and unsubscribes, on this socket) that named no retry time: the backoff's attempt count. */
  retries: number;
  resyncTimer: Timer | undefined;
  lastResyncAt: number;
  resyncs: number;
}

/** A topic not yet observed nor asked for, on the endpoint that serves its table. */
export function newTopic(name: string): Topic {
  const { table, symbol } = splitTopic(name);
  return {
    name, table, symbol,
    endpoint: PLATFORM_TABLES.has(table) ? 'platform' : 'main',
    observer: undefined, server: 'none', image: 'none', awaitSeq: 0,
    retryAt: 0, retries: 0, resyncTimer: undefined, lastResyncAt: -Infinity, resyncs: 0,
  };
}

/** The observed topics of one table: the whole-table one and the per-symbol ones. */
export interface TableTopics {
  whole: Topic | undefined;
  readonly bySymbol: Map<string, Topic>;
  /** Reports a row held back as garbage, and resyncs the table's live images: it may have been theirs. */
  readonly lost: (error: FrameParseError) => void;
}

/**
 * Whether an observed symbol topic is covered: its whole table is observed too, and subscribed
 * or being subscribed (not waiting out a refusal), so the whole table's subscription serves it
 * and it holds none of its own.
 */
export function isCovered(t: TableTopics | undefined, topic: Topic): boolean {
  return topic.symbol !== undefined && t?.whole !== undefined && t.whole !== topic && t.whole.retryAt === 0;
}

/**
 * The observed topic whose image feeds rows of `symbol`: the whole table's once live (it then
 * serves every symbol), else the symbol's own (live, or awaiting its partial), else the whole's.
 */
export function feederOf(t: TableTopics, symbol: unknown): Topic | undefined {
  if (t.whole?.image === 'live') return t.whole;
  return (typeof symbol === 'string' ? t.bySymbol.get(symbol) : undefined) ?? t.whole;
}

/**
 * The part of a table frame the observed topics' images take: a partial goes to the topic
 * awaiting it (given that topic's symbol when the server left it out of `filter`); delta rows
 * pass only where the image feeding them ({@link feederOf}) is live. Undefined: nothing passes.
 * Allocates only when some rows are held back; those that can feed no topic for want of a string
 * symbol are reported, and the table's live images resynced (the change they carried is lost).
 */
export function admitFrame(t: TableTopics, frame: DataFrame): DataFrame | undefined {
  if (frame.action === 'partial') return claimPartial(t, frame);
  const rows = frame.data;
  let kept: Row[] | undefined;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    if (feeds(t, row)) {
      if (kept !== undefined) kept.push(row);
    } else {
      kept ??= rows.slice(0, i) as Row[];
      // Only symbols' topics observed: a row without a symbol is garbage (the reducer would say
      // so), and the change it carried is lost. Its resync leaves the images it drops awaiting:
      // their later rows here are held back, earlier ones skipped by the reducer.
      if (t.whole === undefined && typeof row.symbol !== 'string') t.lost(skippedError(frame.table, rowReason(i, frame.action, NO_STRING_SYMBOL), row));
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
export function fedOnlyBy(t: TableTopics | undefined, topic: Topic, symbolsOf: () => Iterable<string>, leaving = false): Readonly<Record<string, string>>[] {
  if (t === undefined) return [{}];
  if (topic.symbol !== undefined) {
    const sharedWithWhole = t.whole !== topic && t.whole?.image === 'live' && t.bySymbol.get(topic.symbol) !== topic;
    return sharedWithWhole ? [] : [{ symbol: topic.symbol }];
  }
  if (t.bySymbol.size === 0) return [{}];
  // A whole table leaving keeps the rows of the symbols it covered (still observed): right until
  // their own partials, which replace them, so their books do not blink empty. A resync drops them.
  const kept = (symbol: string): boolean => {
    const own = t.bySymbol.get(symbol);
    return own !== undefined && (own.image === 'live' || leaving);
  };
  return [...symbolsOf()].filter((symbol) => !kept(symbol)).map((symbol) => ({ symbol }));
}

/**
 * Why a partial no topic took is an oddity, or undefined: one for a symbol whose topic this
 * client does not know (`known`: observed, or still subscribed or answering) is for a symbol no
 * topic asked for. Not resynced: the topic awaiting a partial keeps waiting for its own (and
 * times out as any subscribe). A partial of a topic left before it came is no oddity.
 */
export function strayPartial(t: TableTopics | undefined, frame: DataFrame, known: (topic: string) => boolean): BitmexInconsistencyError | undefined {
  const symbol = frame.action === 'partial' ? frame.filter?.symbol : undefined;
  if (typeof symbol !== 'string' || known(topicOf(frame.table, symbol))) return undefined;
  const awaiting = t && oldestAwaiting(t)?.name;
  return new BitmexInconsistencyError(frame.table, awaiting ?? topicOf(frame.table, symbol), `partial of ${frame.table} for ${symbol}, which no topic asked for (awaiting: ${awaiting ?? 'none'}); skipped`);
}

function claimPartial(t: TableTopics, frame: DataFrame & { action: 'partial' }): DataFrame | undefined {
  const filter = frame.filter;
  const symbol = filter?.symbol;
  let topic: Topic | undefined;
  if (typeof symbol === 'string') {
    topic = t.bySymbol.get(symbol) ?? t.whole;
  } else {
    // No symbol in the filter (no filter, or a private table's `{account}` only): the oldest
    // topic awaiting a partial, preferably the one its rows name.
    const named = frame.data[0]?.symbol;
    const byName = typeof named === 'string' ? t.bySymbol.get(named) : undefined;
    topic = byName?.image === 'awaiting' ? byName : oldestAwaiting(t);
  }
  if (topic === undefined || topic.image === 'none') return undefined;
  topic.image = 'live';
  if (topic.symbol === undefined || typeof symbol === 'string') return frame;
  // One symbol's partial must never wipe another symbol's image (nor the whole table's); with the
  // symbol in its filter, the reducer also leaves out (and reports) its rows of other symbols.
  return { ...frame, filter: { ...filter, symbol: topic.symbol } };
}

/** Whether the image feeding `row` is live. */
function feeds(t: TableTopics, row: Row): boolean {
  return feederOf(t, row.symbol)?.image === 'live';
}

function oldestAwaiting(t: TableTopics): Topic | undefined {
  let best = t.whole?.image === 'awaiting' ? t.whole : undefined;
  for (const topic of t.bySymbol.values()) {
    if (topic.image === 'awaiting' && (best === undefined || topic.awaitSeq < best.awaitSeq)) best = topic;
  }
  return best;
}

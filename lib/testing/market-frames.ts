/**
 * Building the table rows and frames the market sends (orderBookL2 and its top 25, orderBook10,
 * quote) from the true book. Pure: the market decides when, these say what the frames hold.
 * @module
 */
import type { Row } from '../protocol/frames';
import { isoTime } from './protocol';
import { priceAt, sameIds, type Book, type Level, type Side, type TopSnapshot } from './order-book';

/** A change caused by a market event: one table frame, routed by table, symbol and account. */
export interface MarketFrame {
  readonly table: string;
  readonly action: 'insert' | 'update' | 'delete';
  readonly data: Row[];
  /** Symbol of every row, when the table is filtered by symbol. */
  readonly symbol?: string;
  /** Owner of every row, for private tables. */
  readonly account?: number;
}

export function l2Row(b: Book, side: Side, l: Level, ts: string): Row {
  return { symbol: b.spec.symbol, id: l.id, side, size: l.size, price: priceAt(b, l.ticks), timestamp: ts, transactTime: ts };
}

export function l2DeleteRow(b: Book, side: Side, l: { id: number; ticks: number }, ts: string): Row {
  return { symbol: b.spec.symbol, id: l.id, side, price: priceAt(b, l.ticks), timestamp: ts, transactTime: ts };
}

export function l2Frame(clock: () => number, b: Book, table: string, action: 'insert' | 'update' | 'delete', side: Side, levels: Level[]): MarketFrame {
  const ts = isoTime(clock());
  const data = levels.map((l) => (action === 'delete' ? l2DeleteRow(b, side, l, ts) : l2Row(b, side, l, ts)));
  return { table, action, symbol: b.spec.symbol, data };
}

export function book10Row(clock: () => number, b: Book): Row {
  const pairs = (ls: Level[]) => ls.slice(0, 10).map((l) => [priceAt(b, l.ticks), l.size]);
  return { symbol: b.spec.symbol, bids: pairs(b.bids), asks: pairs(b.asks), timestamp: isoTime(clock()) };
}

export function quoteRow(clock: () => number, b: Book): Row {
  const bid = b.bids[0];
  const ask = b.asks[0];
  return {
    timestamp: isoTime(clock()),
    symbol: b.spec.symbol,
    bidSize: bid?.size,
    bidPrice: bid && priceAt(b, bid.ticks),
    askPrice: ask && priceAt(b, ask.ticks),
    askSize: ask?.size,
  };
}

/** The orderBookL2_25 delete, insert and update frames (in that order) that turn `before`'s top 25 into `after`'s. */
export function l2TopFrames(b: Book, symbol: string, before: TopSnapshot, after: TopSnapshot, ts: string): MarketFrame[] {
  const frames: MarketFrame[] = [];
  const deletes: Row[] = [];
  const inserts: Row[] = [];
  const updates: Row[] = [];
  for (const side of ['Sell', 'Buy'] as const) {
    const was = side === 'Buy' ? before.bids : before.asks;
    const now = side === 'Buy' ? after.bids : after.asks;
    if (sameIds(was, now)) {
      // The common case (a size change): same levels in the same places.
      for (let i = 0; i < now.length; i++) {
        const l = now[i] as Level;
        if ((was[i] as Level).size !== l.size) updates.push(l2Row(b, side, l, ts));
      }
      continue;
    }
    const wasById = new Map(was.map((l) => [l.id, l]));
    const nowIds = new Set(now.map((l) => l.id));
    for (const l of was) if (!nowIds.has(l.id)) deletes.push(l2DeleteRow(b, side, l, ts));
    for (const l of now) {
      const old = wasById.get(l.id);
      if (!old) inserts.push(l2Row(b, side, l, ts));
      else if (old.size !== l.size) updates.push(l2Row(b, side, l, ts));
    }
  }
  if (deletes.length) frames.push({ table: 'orderBookL2_25', action: 'delete', symbol, data: deletes });
  if (inserts.length) frames.push({ table: 'orderBookL2_25', action: 'insert', symbol, data: inserts });
  if (updates.length) frames.push({ table: 'orderBookL2_25', action: 'update', symbol, data: updates });
  return frames;
}

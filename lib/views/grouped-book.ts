/**
 * Grouped and cumulative books: price levels aggregated into buckets of `group` (bids down to the
 * bucket's lower edge, asks up to its upper edge, sizes summed), `depth` buckets per side, with
 * optional running totals of size and value.
 *
 * A {@link GroupedBookCore} keeps the visible buckets of each side between frames. Built once by
 * walking from the best level until `depth` buckets are complete, it is then kept up to date
 * from the levels a frame changed: each one's size difference goes to its bucket (see
 * ./side-grouper), and the book is read only when a bucket comes into view or cannot be updated
 * exactly, so a frame costs the levels it changed, not the visible range. Bucket objects are
 * reused while their price, size and totals are unchanged, and a frame that changes no visible
 * bucket yields nothing.
 * @module
 */
import type { BookLevel, BookSnapshot } from '../book/l2-book';
import type { LevelChanges, LevelCursor } from './level-cursor';
import { PriceGrid } from './price-grid';
import { SideGrouper } from './side-grouper';

/** A level or bucket of a {@link DepthSnapshot}. Frozen; reused between snapshots while unchanged. */
export interface DepthLevel extends BookLevel {
  /** With `cumulative`: total size from the best level or bucket through this one. */
  readonly cumSize?: number;
  /**
   * With `cumulative`, when the instrument says how to value a contract: total value from the
   * best level or bucket through this one, in the settlement currency's smallest unit (XBt for
   * XBTUSD), as BitMEX values a trade (see {@link notionalFn}).
   */
  readonly cumNotional?: number;
}

/** A book snapshot whose levels may be buckets and may carry running totals. Frozen. */
export interface DepthSnapshot extends BookSnapshot {
  readonly bids: readonly DepthLevel[];
  readonly asks: readonly DepthLevel[];
}

/** Options of a grouped book. */
export interface GroupOptions {
  /** Bucket width in price terms; a positive multiple of `tickSize` when that is known. */
  readonly group: number;
  /** Buckets per side (default 25). */
  readonly depth?: number;
  /** Add running totals (`cumSize`, and `cumNotional` when `notional` is given). */
  readonly cumulative?: boolean;
  /** The instrument's price step, to check `group` against. */
  readonly tickSize?: number;
  /** Value of `size` contracts at `price` (see {@link notionalFn}); used with `cumulative`. */
  readonly notional?: (price: number, size: number) => number;
}

/** Checks a depth option: a non-negative integer (default 25). */
export function checkDepth(depth: unknown): number {
  if (depth === undefined) return 25;
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 0) {
    throw new TypeError(`depth must be a non-negative integer, got ${String(depth)}`);
  }
  return depth;
}

/**
 * Both sides of one grouped book, kept between frames. Feed it whole walks ({@link rebuild})
 * or the levels a frame changed ({@link apply}); each returns a new frozen snapshot when a
 * visible bucket changed, else undefined.
 */
export class GroupedBookCore {
  readonly grid: PriceGrid;
  readonly depth: number;
  private readonly bids: SideGrouper;
  private readonly asks: SideGrouper;
  private last: DepthSnapshot | undefined;

  /** @throws TypeError for a bad `group` (not a positive multiple of `tickSize`) or `depth`. */
  constructor(options: GroupOptions) {
    this.grid = new PriceGrid(options.group, options.tickSize);
    this.depth = checkDepth(options.depth);
    const cumulative = options.cumulative === true;
    const notional = cumulative ? options.notional : undefined;
    this.bids = new SideGrouper(true, this.grid, this.depth, cumulative, notional);
    this.asks = new SideGrouper(false, this.grid, this.depth, cumulative, notional);
  }

  /** See {@link SideGrouper.horizon}: where changes stop mattering, per side. */
  horizon(bid: boolean): number {
    return (bid ? this.bids : this.asks).horizon();
  }

  /** The last snapshot yielded, if any. */
  get snapshot(): DepthSnapshot | undefined {
    return this.last;
  }

  /** Walks both sides from their best levels. */
  rebuild(symbol: string, timestamp: string, bids: LevelCursor, asks: LevelCursor): DepthSnapshot | undefined {
    return this.yield(symbol, timestamp, this.bids.rebuild(bids), this.asks.rebuild(asks));
  }

  /**
   * Applies the level changes of a frame, per side (see {@link SideGrouper.apply}): every level
   * inserted, changed or removed since the last call up to each side's {@link horizon}.
   */
  apply(symbol: string, timestamp: string, bids: LevelCursor, asks: LevelCursor, bidChanges: LevelChanges, askChanges: LevelChanges): DepthSnapshot | undefined {
    if (this.last === undefined) return this.rebuild(symbol, timestamp, bids, asks);
    const b = bidChanges.n === 0 ? this.last.bids : this.bids.apply(bids, bidChanges);
    const a = askChanges.n === 0 ? this.last.asks : this.asks.apply(asks, askChanges);
    return this.yield(symbol, timestamp, b, a);
  }

  private yield(symbol: string, timestamp: string, bids: readonly DepthLevel[], asks: readonly DepthLevel[]): DepthSnapshot | undefined {
    const last = this.last;
    if (last !== undefined && last.symbol === symbol && bids === last.bids && asks === last.asks) return undefined;
    return (this.last = Object.freeze({ symbol, timestamp, bids, asks }));
  }
}

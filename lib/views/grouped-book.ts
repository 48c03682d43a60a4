/**
 * Grouped and cumulative books: price levels aggregated into buckets of `group` (bids down to the
 * bucket's lower edge, asks up to its upper edge, sizes summed), `depth` buckets per side, with
 * optional running totals of size and value.
 *
 * A {@link GroupedBookCore} keeps the visible buckets of each side between frames. Built once by
 * walking from the best level until `depth` buckets are complete, it is then kept up to date
 * from the prices a frame touched: only the buckets holding those prices are summed again (and,
 * when a bucket empties, the next one beyond the last is read), so a frame costs the levels of
 * the buckets it touched, not the whole visible range. Bucket objects are reused while their
 * price, size and totals are unchanged, and a frame that changes no visible bucket yields
 * nothing.
 * @module
 */
import type { BookLevel, BookSnapshot } from '../book/l2-book';
import type { LevelCursor } from './level-cursor';
import { PriceGrid } from './price-grid';

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

const EMPTY: readonly DepthLevel[] = Object.freeze([]);

/** The visible buckets of one side. */
class SideGrouper {
  /** Bucket keys (edges in grid units), best first; sizes and values alike. */
  private readonly keys: number[] = [];
  private readonly sizes: number[] = [];
  private readonly values: number[] = [];
  /** The level last handed out for each bucket, while its size and value are unchanged. */
  private readonly levels: (DepthLevel | undefined)[] = [];
  /** Whether a bucket was added, removed or summed to another figure since the last emit. */
  private changed = false;
  /** Whether the last walk stopped at `depth` buckets with levels left beyond them. */
  private more = false;
  /** The last array handed out. */
  private out: readonly DepthLevel[] = EMPTY;
  /** Buckets summed in the current {@link SideGrouper.touch} (a frame touches a few). */
  private readonly done: number[] = [];

  constructor(
    private readonly isBid: boolean,
    private readonly grid: PriceGrid,
    private readonly depth: number,
    private readonly cumulative: boolean,
    private readonly notional: ((price: number, size: number) => number) | undefined,
  ) {}

  private bucketOf(price: number): number {
    return this.isBid ? this.grid.bidBucket(price) : this.grid.askBucket(price);
  }

  /** Whether bucket key `a` is better (nearer the spread) than `b`. */
  private better(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b;
  }

  /**
   * `dir * price` (dir -1 for bids, 1 for asks) of the far edge of the last visible bucket while
   * more buckets lie beyond it: a change past it shows nowhere. Infinity when every bucket shows.
   */
  horizon(): number {
    if (!this.more) return Infinity;
    const n = this.keys.length;
    if (n === 0) return -Infinity;
    const edge = this.grid.price(this.keys[n - 1] as number);
    return this.isBid ? -edge : edge;
  }

  /** Forgets every bucket and walks the side from its best level. */
  rebuild(c: LevelCursor): readonly DepthLevel[] {
    this.keys.length = 0;
    this.sizes.length = 0;
    this.values.length = 0;
    this.levels.length = 0;
    this.more = false;
    this.changed = true;
    this.collect(c, undefined);
    return this.emit();
  }

  /** Sums again the buckets holding `prices` (all on this side), then fills up to `depth`. */
  touch(c: LevelCursor, prices: readonly number[]): readonly DepthLevel[] {
    const keys = this.keys;
    const done = this.done;
    done.length = 0;
    for (let p = 0; p < prices.length; p++) {
      const k = this.bucketOf(prices[p] as number);
      const n = keys.length;
      // Beyond the visible buckets (while more exist): not shown; `collect` reads it if needed.
      if (this.more && (n === 0 || this.better(keys[n - 1] as number, k))) continue;
      if (done.includes(k)) continue;
      done.push(k);
      this.resum(c, k);
    }
    if (keys.length > this.depth) {
      keys.length = this.sizes.length = this.values.length = this.levels.length = this.depth;
      this.more = true;
    } else if (keys.length < this.depth && this.more) {
      this.collect(c, keys.length === 0 ? undefined : (keys[keys.length - 1] as number));
    }
    return this.emit();
  }

  /** Sums bucket `k` from the book and stores (or drops) it. */
  private resum(c: LevelCursor, k: number): void {
    const g = this.grid.groupUnits;
    // Start at the bucket's better edge; levels exactly on it belong to the bucket before.
    c.seek(this.grid.price(this.isBid ? k + g : k - g));
    let count = 0;
    let size = 0;
    let value = 0;
    const notional = this.notional;
    while (c.next()) {
      const kk = this.bucketOf(c.price);
      if (kk !== k) {
        if (this.better(kk, k)) continue;
        break;
      }
      count++;
      size += c.size;
      if (notional !== undefined) value += notional(c.price, c.size);
    }
    const keys = this.keys;
    // Binary search for k's place among the buckets (best first).
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.better(keys[mid] as number, k)) lo = mid + 1;
      else hi = mid;
    }
    if (keys[lo] === k) {
      if (count === 0) {
        keys.splice(lo, 1);
        this.sizes.splice(lo, 1);
        this.values.splice(lo, 1);
        this.levels.splice(lo, 1);
        this.changed = true;
      } else if (this.sizes[lo] !== size || this.values[lo] !== value) {
        this.sizes[lo] = size;
        this.values[lo] = value;
        this.levels[lo] = undefined;
        this.changed = true;
      }
    } else if (count > 0) {
      keys.splice(lo, 0, k);
      this.sizes.splice(lo, 0, size);
      this.values.splice(lo, 0, value);
      this.levels.splice(lo, 0, undefined);
      this.changed = true;
    }
  }

  /** Appends the buckets after bucket `after` (from the best level when undefined) until `depth`. */
  private collect(c: LevelCursor, after: number | undefined): void {
    const keys = this.keys;
    const depth = this.depth;
    this.more = false;
    if (keys.length >= depth) {
      this.more = true;
      return;
    }
    c.seek(after === undefined ? undefined : this.grid.price(after));
    const notional = this.notional;
    let open = false;
    let key = 0;
    let size = 0;
    let value = 0;
    while (c.next()) {
      const k = this.bucketOf(c.price);
      if (after !== undefined && !this.better(after, k)) continue;
      if (!open || k !== key) {
        if (open) {
          keys.push(key);
          this.sizes.push(size);
          this.values.push(value);
          this.levels.push(undefined);
          this.changed = true;
          if (keys.length === depth) {
            this.more = true;
            return;
          }
        }
        open = true;
        key = k;
        size = 0;
        value = 0;
      }
      size += c.size;
      if (notional !== undefined) value += notional(c.price, c.size);
    }
    if (open) {
      keys.push(key);
      this.sizes.push(size);
      this.values.push(value);
      this.levels.push(undefined);
      this.changed = true;
    }
  }

  /**
   * The buckets as frozen levels: the last array itself when no bucket changed. A bucket's
   * level is kept while its size and value (and totals) are unchanged; a bucket summed anew
   * takes the previous array's level at its price when that one still fits.
   */
  private emit(): readonly DepthLevel[] {
    const prev = this.out;
    if (!this.changed) return prev;
    this.changed = false;
    const keys = this.keys;
    const sizes = this.sizes;
    const values = this.values;
    const levels = this.levels;
    const n = keys.length;
    const isBid = this.isBid;
    const cumulative = this.cumulative;
    const withValue = cumulative && this.notional !== undefined;
    const out = new Array<DepthLevel>(n);
    let same = prev.length === n;
    let cum = 0;
    let cumValue = 0;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const size = sizes[i] as number;
      cum += size;
      cumValue += values[i] as number;
      let level = levels[i];
      if (level === undefined || (cumulative && (level.cumSize !== cum || (withValue && level.cumNotional !== cumValue)))) {
        const price = this.grid.price(keys[i] as number);
        // The previous array's level at this price, if any (both sorted best first).
        while (j < prev.length && (isBid ? (prev[j] as DepthLevel).price > price : (prev[j] as DepthLevel).price < price)) j++;
        const p = prev[j];
        if (p !== undefined && p.price === price && p.size === size && (!cumulative || (p.cumSize === cum && (!withValue || p.cumNotional === cumValue)))) {
          level = p;
        } else if (withValue) {
          level = Object.freeze({ price, size, id: undefined, cumSize: cum, cumNotional: cumValue });
        } else if (cumulative) {
          level = Object.freeze({ price, size, id: undefined, cumSize: cum });
        } else {
          level = Object.freeze({ price, size, id: undefined });
        }
        levels[i] = level;
      }
      out[i] = level;
      if (level !== prev[i]) same = false;
    }
    if (same) return prev;
    return (this.out = Object.freeze(out));
  }
}

/**
 * Both sides of one grouped book, kept between frames. Feed it whole walks ({@link rebuild})
 * or the prices a frame touched ({@link touch}); each returns a new frozen snapshot when a
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
   * Updates the buckets holding the given prices: every price whose level a frame inserted,
   * changed or removed since the last call (a level that moved: its old price too).
   */
  touch(
    symbol: string,
    timestamp: string,
    bids: LevelCursor,
    asks: LevelCursor,
    bidPrices: readonly number[],
    askPrices: readonly number[],
  ): DepthSnapshot | undefined {
    if (this.last === undefined) return this.rebuild(symbol, timestamp, bids, asks);
    const b = bidPrices.length === 0 ? this.last.bids : this.bids.touch(bids, bidPrices);
    const a = askPrices.length === 0 ? this.last.asks : this.asks.touch(asks, askPrices);
    return this.yield(symbol, timestamp, b, a);
  }

  private yield(symbol: string, timestamp: string, bids: readonly DepthLevel[], asks: readonly DepthLevel[]): DepthSnapshot | undefined {
    const last = this.last;
    if (last !== undefined && last.symbol === symbol && bids === last.bids && asks === last.asks) return undefined;
    return (this.last = Object.freeze({ symbol, timestamp, bids, asks }));
  }
}

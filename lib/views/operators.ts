/**
 * RxJS operators over book snapshots (from `book$`, `bookOf$`, a replay, or `orderBook10`):
 * grouping into price buckets and running totals. Over the reducer's states, the client's
 * `book$(symbol, { group, cumulative })` does the same while reading only the touched buckets.
 * @module
 */
import { defer, filter, map, type OperatorFunction } from 'rxjs';
import type { BookSnapshot } from '../book/l2-book';
import { CumulativeCore } from './cumulative';
import { GroupedBookCore, type DepthSnapshot, type GroupOptions } from './grouped-book';
import { ArrayLevelCursor } from './level-cursor';

function defined<T>(v: T | undefined): v is T {
  return v !== undefined;
}

/**
 * Groups each book snapshot into buckets of `group` (bids down, asks up, sizes summed), `depth`
 * buckets per side; emits only when a visible bucket changed, reusing unchanged bucket objects.
 * The snapshots must hold enough levels to fill `depth` buckets (ask `book$` for a deep book).
 *
 * ```ts
 * bitmex.book$('XBTUSD', { depth: 500 }).pipe(groupBook({ group: 10, depth: 20, tickSize: 0.5 }))
 * ```
 * @throws TypeError at once when `group` is not a positive multiple of `tickSize`, or `depth` is bad.
 */
export function groupBook(options: GroupOptions): OperatorFunction<BookSnapshot, DepthSnapshot> {
  new GroupedBookCore(options); // checks the options now, not at subscribe time
  return (source) =>
    defer(() => {
      // One core per subscription: each keeps its own previous buckets.
      const core = new GroupedBookCore(options);
      const bids = new ArrayLevelCursor([], true);
      const asks = new ArrayLevelCursor([], false);
      return source.pipe(
        map((snap) => {
          bids.reset(snap.bids);
          asks.reset(snap.asks);
          return core.rebuild(snap.symbol, snap.timestamp, bids, asks);
        }),
        filter(defined),
      );
    });
}

/**
 * Adds running totals to each level of each snapshot: `cumSize`, and `cumNotional` when a
 * `notional` function is given (see `notionalFn`). Emits only when a level or total changed.
 *
 * ```ts
 * bitmex.book$('XBTUSD', { depth: 50 }).pipe(cumulativeBook())
 * ```
 */
export function cumulativeBook(options: { readonly notional?: (price: number, size: number) => number } = {}): OperatorFunction<BookSnapshot, DepthSnapshot> {
  return (source) =>
    defer(() => {
      const core = new CumulativeCore(options.notional);
      return source.pipe(
        map((snap) => core.next(snap)),
        filter(defined),
      );
    });
}

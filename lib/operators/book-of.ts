/**
 * `bookOf$(symbol, { depth, table, group, cumulative })`: from reducer states to order-book
 * snapshots, optionally grouped into price buckets and with running totals.
 * @module
 */
import { defer, filter, map, type OperatorFunction } from 'rxjs';
import { createBookView, type BookReadOptions, type TablesState } from '../reducer/reducer';
import type { DepthSnapshot } from '../views/grouped-book';
import { CumulativeStateView, GroupedStateView } from '../views/grouped-state-view';
import { levelsOf$ } from './levels-of';
import { bookOptions } from './book-options';
import { bookSymbol } from './symbols';

/** Options of {@link bookOf$}: which book, how deep, and how to aggregate it. */
export interface BookOfOptions extends BookReadOptions {
  /**
   * Group levels into price buckets of this width (bids rounded down, asks up, sizes summed);
   * `depth` then counts buckets. Must be a positive multiple of the instrument's tick size
   * (`tickSize`, else the `instrument` table's when the state holds it): a TypeError at once, or
   * on the stream when the instrument arrives.
   */
  readonly group?: number;
  /** Add `cumSize` (and `cumNotional` when the contract value is known) to every level or bucket. */
  readonly cumulative?: boolean;
  /** The instrument's tick size (default: from the `instrument` table). */
  readonly tickSize?: number;
  /** Value of `size` contracts at `price` (default: from the `instrument` table, see `notionalFn`). */
  readonly notional?: (price: number, size: number) => number;
}

function defined<T>(v: T | undefined): v is T {
  return v !== undefined;
}

/**
 * Frozen snapshots of the top `depth` levels (default 25) of `symbol`'s book, one for each
 * state that changed them; states that leave those levels alone emit nothing. `table` picks
 * the book (default: the first of orderBookL2, orderBookL2_25, orderBook10 holding it). With
 * `group`, levels are summed into price buckets; with `cumulative`, running totals are added.
 * Unchanged levels and buckets are the same objects from one snapshot to the next.
 *
 * ```ts
 * recorded$.pipe(reduceFrames(), bookOf$('XBTUSD', { depth: 10 })).subscribe((b) => console.log(b.bids[0]));
 * recorded$.pipe(reduceFrames(), bookOf$('XBTUSD', { depth: 20, group: 10, cumulative: true })).subscribe(drawDepth);
 * ```
 * @throws TypeError at once for a bad `symbol` (empty, `'*'`), `group` (or one not a multiple of `tickSize`), `depth`,
 *   `table` (not a book table), another option, or an option name it does not know.
 */
export function bookOf$(symbol: string, given?: BookOfOptions): OperatorFunction<TablesState, DepthSnapshot> {
  bookSymbol(symbol);
  const options = bookOptions(given, 'notional');
  if (options.group !== undefined) {
    const opts = { ...options, group: options.group };
    new GroupedStateView(symbol, opts); // checks the options now
    return (states) =>
      defer(() => {
        const view = new GroupedStateView(symbol, opts);
        return states.pipe(
          map((state) => view.next(state)),
          filter(defined),
        );
      });
  }
  const read: BookReadOptions = {
    ...(options.depth !== undefined ? { depth: options.depth } : {}),
    ...(options.table !== undefined ? { table: options.table } : {}),
  };
  if (options.cumulative !== true) return levelsOf$(symbol, read);
  return (states) =>
    defer(() => {
      const view = createBookView(symbol, read);
      const totals = new CumulativeStateView(symbol, options.notional);
      return states.pipe(
        map((state) => totals.next(state, view.next(state))),
        filter(defined),
      );
    });
}

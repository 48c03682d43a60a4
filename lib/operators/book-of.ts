/**
 * `bookOf$(symbol, { depth, table })`: from reducer states to order-book snapshots.
 * @module
 */
import { defer, filter, map, type OperatorFunction } from 'rxjs';
import type { BookSnapshot } from '../book/l2-book';
import { createBookView, type BookReadOptions, type TablesState } from '../reducer/reducer';

/**
 * Frozen snapshots of the top `depth` levels (default 25) of `symbol`'s book, one for each
 * state that changed them; states that leave those levels alone emit nothing. `table` picks
 * the book (default: the first of orderBookL2, orderBookL2_25, orderBook10 holding it).
 *
 * ```ts
 * recorded$.pipe(reduceFrames(), bookOf$('XBTUSD', { depth: 10 })).subscribe((b) => console.log(b.bids[0]));
 * ```
 */
export function bookOf$(symbol: string, options: BookReadOptions = {}): OperatorFunction<TablesState, BookSnapshot> {
  return (states) =>
    defer(() => {
      const view = createBookView(symbol, options);
      return states.pipe(
        map((state) => view.next(state)),
        filter((book): book is BookSnapshot => book !== undefined),
      );
    });
}

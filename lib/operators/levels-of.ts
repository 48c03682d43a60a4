/**
 * `levelsOf$`: from reducer states to the plain top `depth` levels of a book (what `bookOf$` does
 * without `group` or `cumulative`), on its own so the client's plain `book$` needs none of the
 * grouping code.
 * @module
 */
import { defer, filter, map, type OperatorFunction } from 'rxjs';
import type { BookSnapshot } from '../book/l2-book';
import { createBookView, type BookReadOptions, type TablesState } from '../reducer/reducer';

/** A snapshot for each state that changed the top levels of `symbol`'s book. */
export function levelsOf$(symbol: string, read: BookReadOptions): OperatorFunction<TablesState, BookSnapshot> {
  return (states) =>
    defer(() => {
      const view = createBookView(symbol, read);
      return states.pipe(
        map((state) => view.next(state)),
        filter((book): book is BookSnapshot => book !== undefined),
      );
    });
}

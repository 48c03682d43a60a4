/**
 * `levelsOf$`: from reducer states to the plain top `depth` levels of a book (what `bookOf$` does
 * without `group` or `cumulative`), on its own so the client's plain `book$` needs none of the
 * grouping code.
 * @module
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { BookSnapshot } from '../book/l2-book';
import { createBookView, type BookReadOptions, type TablesState } from '../reducer/reducer';

/** A snapshot for each state that changed the top levels of `symbol`'s book. */
export function levelsOf$(symbol: string, read: BookReadOptions): OperatorFunction<TablesState, BookSnapshot> {
  // One subscriber per state instead of `map` and `filter`'s two: this runs for every frame.
  return (states) =>
    new Observable<BookSnapshot>((subscriber) => {
      const view = createBookView(symbol, read);
      return states.subscribe({
        next: (state) => {
          let book: BookSnapshot | undefined;
          try {
            book = view.next(state);
          } catch (e) {
            // As `map` would: the error goes down the stream, not up into the source.
            subscriber.error(e);
            return;
          }
          if (book !== undefined) subscriber.next(book);
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      });
    });
}

/**
 * The grouping and running-totals code (`bookOf$` with `group`/`cumulative`, and what it reads
 * with), loaded on first use: a browser app that shows plain books never downloads it.
 * @module
 */
import type { OperatorFunction } from 'rxjs';
import type { BookOfOptions } from '../operators/book-of';
import { lazy } from '../operators/lazy';
import { levelsOf$ } from '../operators/levels-of';
import type { TablesState } from '../reducer/reducer';
import type { DepthSnapshot } from '../views/grouped-book';
import { gridUnits } from '../views/price-grid';

type BookOfModule = typeof import('../operators/book-of');

/**
 * The view `book$` pipes states through: the plain top levels at once; grouped or cumulative
 * books from the module loaded on first subscribe (`group` checked now, so a bad one throws at
 * the call; the view then starts from the latest state).
 */
export function bookView(symbol: string, options: BookOfOptions & { readonly depth: number; readonly table: string }): OperatorFunction<TablesState, DepthSnapshot> {
  if (!needsViews(options)) return levelsOf$(symbol, { depth: options.depth, table: options.table });
  return lazy(() => loadBookOf().then(({ bookOf$ }) => bookOf$(symbol, options)));
}

/**
 * Whether a book with these options needs the loaded module (a `group` or running totals); a
 * bad `group` throws here, so at the call rather than once the module has loaded.
 */
export function needsViews(options: Pick<BookOfOptions, 'group' | 'cumulative' | 'tickSize'>): boolean {
  if (options.group !== undefined) {
    gridUnits(options.group, options.tickSize);
    return true;
  }
  return options.cumulative === true;
}

let loaded: BookOfModule | undefined;
let loading: Promise<BookOfModule> | undefined;

/** Loads the module once (tried again after a failure, e.g. a chunk that did not download). */
export function loadBookOf(): Promise<BookOfModule> {
  loading ??= import('../operators/book-of').then(
    (m) => (loaded = m),
    (e: unknown) => {
      loading = undefined;
      throw e;
    },
  );
  return loading;
}

/** The module if it has loaded, else undefined. */
export function bookOfLoaded(): BookOfModule | undefined {
  return loaded;
}

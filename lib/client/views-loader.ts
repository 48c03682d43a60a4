/**
 * The grouping and running-totals code (`bookOf$` with `group`/`cumulative`, and what it reads
 * with), loaded on first use: a browser app that shows plain books never downloads it.
 * @module
 */
type BookOfModule = typeof import('../operators/book-of');

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

/**
 * `storage`: a read-only live view of the client's latest reducer state.
 * @module
 */
import type { Row } from '../protocol/frames';
import type { RowOf } from '../protocol/rows';
import type { BookTable } from '../protocol/tables';
import { bookOf, keysOf, makeKey, rowsOf, tablesOf, type TablesState } from '../reducer/reducer';
import { of } from 'rxjs';
import { bookOptions } from '../operators/book-options';
import type { DepthSnapshot } from '../views/grouped-book';
import { bookOfLoaded, loadBookOf, needsViews } from './views-loader';

/** Options of `book$` and `storage.book`. */
export interface BookOptions {
  /** Levels per side (default 25); buckets per side with `group`. */
  readonly depth?: number;
  /** Source table (default `orderBookL2`). */
  readonly table?: BookTable;
  /**
   * Group levels into price buckets of this width: bids rounded down, asks up, sizes summed.
   * A positive multiple of the instrument's tick size (`tickSize`, else the `instrument`
   * table's): otherwise a TypeError, at once or on the stream.
   */
  readonly group?: number;
  /** Add `cumSize` to every level or bucket, and `cumNotional` when the instrument's contract value is known. */
  readonly cumulative?: boolean;
  /** The instrument's tick size, when known in advance (else read from the `instrument` table). */
  readonly tickSize?: number;
}

/** A read-only live view of the client's tables. */
export interface Storage {
  /** Current rows of a table, optionally of one symbol, in key order. */
  rows<T extends string>(table: T, symbol?: string): readonly RowOf<T>[];
  /** Current order book of a symbol (levels per side up to `depth`, default 25), if one was received. */
  book(symbol: string, options?: BookOptions): DepthSnapshot | undefined;
  /** Key columns of a table, once its partial arrived. */
  keys(table: string): readonly string[] | undefined;
  /** Tables that hold an image. */
  tables(): readonly string[];
  /** The lookup key of a row in its table. */
  makeKey(table: string, row: Row): string;
}

/** A {@link Storage} reading whatever state `latest` returns at the time of each call. */
export function storageOf(latest: () => TablesState): Storage {
  return {
    rows: <T extends string>(table: T, symbol?: string) => rowsOf(latest(), table, symbol) as readonly RowOf<T>[],
    book: (symbol: string, opts?: BookOptions) => bookNow(latest(), symbol, bookOptions(opts)),
    keys: (table: string) => keysOf(latest(), table),
    tables: () => tablesOf(latest()),
    makeKey: (table: string, row: Row) => makeKey(table, row, keysOf(latest(), table) ?? []),
  };
}

/**
 * The book as `book$` with the same options would show it now. Grouping and totals need their
 * code loaded (a `book$` with those options loads it, as does the first such call here): until
 * then this gives undefined.
 */
function bookNow(state: TablesState, symbol: string, opts: BookOptions): DepthSnapshot | undefined {
  if (!needsViews(opts)) return bookOf(state, symbol, { depth: opts.depth, table: opts.table }); // bad options throw at once
  const views = bookOfLoaded();
  if (views === undefined) {
    loadBookOf().catch(() => undefined);
    return undefined;
  }
  let book: DepthSnapshot | undefined;
  of(state).pipe(views.bookOf$(symbol, opts)).subscribe((b) => (book = b));
  return book;
}

/**
 * `storage`: a read-only live view of the client's latest reducer state.
 * @module
 */
import type { BookSnapshot } from '../book/l2-book';
import type { Row } from '../protocol/frames';
import type { RowOf } from '../protocol/rows';
import type { BookTable } from '../protocol/tables';
import { bookOf, keysOf, makeKey, rowsOf, tablesOf, type TablesState } from '../reducer/reducer';

/** Options of `book$` and `storage.book`. */
export interface BookOptions {
  /** Levels per side (default 25). */
  readonly depth?: number;
  /** Source table (default `orderBookL2`). */
  readonly table?: BookTable;
}

/** A read-only live view of the client's tables. */
export interface Storage {
  /** Current rows of a table, optionally of one symbol, in key order. */
  rows<T extends string>(table: T, symbol?: string): readonly RowOf<T>[];
  /** Current order book of a symbol (levels per side up to `depth`, default 25), if one was received. */
  book(symbol: string, options?: BookOptions): BookSnapshot | undefined;
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
    book: (symbol: string, opts: BookOptions = {}) => bookOf(latest(), symbol, opts),
    keys: (table: string) => keysOf(latest(), table),
    tables: () => tablesOf(latest()),
    makeKey: (table: string, row: Row) => makeKey(table, row, keysOf(latest(), table) ?? []),
  };
}

/**
 * Reading a state: rows, keys, tables, books and book views. Every reader works on any state,
 * old or new, in any order, any number of times.
 * @module
 */
import { mapForEach } from '../book/hash-map';
import { BookViewCore, snapshot10 } from '../book/book-view';
import { bookRows, depthOf, L2Book, snapshotOf } from '../book/l2-book';
import type { BookLevel, BookSnapshot } from '../book/l2-book';
import type { Row } from '../protocol/frames';
import { logEntries, partRows } from './keyed-table';
import { bookIn, findTable, forEachBook, NO_SYMBOL, tablesIn } from './state';
import type { Entry, Table, TablesState } from './state';
import { NONE } from './state';

/**
 * Current rows of a table (one symbol's, or all). Keyed tables: sorted by their key columns;
 * insert-only logs: arrival order; L2 books: asks then bids, each from the highest price down.
 * A fresh frozen array of frozen rows; empty for unknown tables.
 */
export function rowsOf(state: TablesState, table: string, symbol?: string): readonly Row[] {
  const t = findTable(tablesIn(state), table);
  if (t === undefined) return NONE;
  if (t.kind === 'l2') {
    if (symbol !== undefined) {
      const book = bookIn(state, t, symbol);
      return Object.freeze(book === undefined ? [] : bookRows(book));
    }
    const out: Row[] = [];
    forEachBook(state, t, (book) => {
      const rows = bookRows(book);
      for (let i = 0; i < rows.length; i++) out.push(rows[i] as Row);
    });
    return Object.freeze(out);
  }
  let rows: Row[];
  if (symbol !== undefined) {
    rows = partRows(t, symbol);
    if (t.kind === 'log') return Object.freeze(rows);
  } else if (t.kind === 'log') {
    const entries = logEntries(t);
    entries.sort((a, b) => a[0] - b[0]);
    return Object.freeze(entries.map((e) => e[1]));
  } else {
    rows = [];
    mapForEach(t.index, (e: Entry) => rows.push(e.row));
  }
  const keys = t.keys;
  rows.sort((a, b) => {
    for (const k of keys) {
      const c = compareValues(a[k], b[k]);
      if (c !== 0) return c;
    }
    return 0;
  });
  return Object.freeze(rows);
}

function compareValues(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = typeof a === 'object' ? '' : String(a);
  const sb = typeof b === 'object' ? '' : String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Key columns in use for a table (undefined before its first partial). */
export function keysOf(state: TablesState, table: string): readonly string[] | undefined {
  return findTable(tablesIn(state), table)?.keys;
}

/** Tables that have received a partial. */
export function tablesOf(state: TablesState): readonly string[] {
  return Object.freeze(tablesIn(state).map((t) => t.name));
}

type BookTable = 'orderBookL2' | 'orderBookL2_25' | 'orderBook10';

/** Options of {@link bookOf} and {@link createBookView}. */
export interface BookReadOptions {
  /** Levels per side (default 25). */
  readonly depth?: number;
  /** Which book; default: the first of orderBookL2, orderBookL2_25, orderBook10 holding the symbol. */
  readonly table?: 'orderBookL2' | 'orderBookL2_25' | 'orderBook10';
}

/**
 * The book of `symbol`: an L2 book, or the orderBook10 row; undefined when none (before its
 * partial, or after its image was cleared).
 */
function findBook(state: TablesState, symbol: string, table: BookTable | undefined): L2Book | Row | undefined {
  const tables = tablesIn(state);
  if (table !== undefined) return findIn(state, tables, symbol, table);
  return findIn(state, tables, symbol, 'orderBookL2') ?? findIn(state, tables, symbol, 'orderBookL2_25') ?? findIn(state, tables, symbol, 'orderBook10');
}

function findIn(state: TablesState, tables: readonly Table[], symbol: string, name: BookTable): L2Book | Row | undefined {
  const t = findTable(tables, name);
  if (t === undefined) return undefined;
  if (t.kind === 'l2') return bookIn(state, t, symbol);
  return partRows(t, typeof symbol === 'string' ? symbol : NO_SYMBOL)[0];
}

/** A frozen snapshot of the top `depth` levels of a book in any state, O(log n + depth); undefined before its partial. */
export function bookOf(state: TablesState, symbol: string, opts: BookReadOptions = {}): BookSnapshot | undefined {
  const found = findBook(state, symbol, opts.table);
  if (found === undefined) return undefined;
  const depth = depthOf(opts.depth);
  return isBook(found) ? snapshotOf(found, depth) : snapshot10(symbol, found, depth, undefined);
}

function isBook(x: L2Book | Row): x is L2Book {
  return x instanceof L2Book;
}

/** A stateful reader of one book, see {@link createBookView}. */
export interface BookView {
  /** A new snapshot when the top N changed since the last call, else undefined. */
  next(state: TablesState): BookSnapshot | undefined;
}

/**
 * Follows one book across states and yields a snapshot only when its top `depth` levels
 * changed, reusing unchanged frozen levels. Frames that leave the top untouched are recognised
 * by identity (the states share what a frame did not change), without walking the book. States
 * may come in any order: the view compares with whatever it saw last. A book that a newer
 * partial no longer holds shows as an empty book.
 */
export function createBookView(symbol: string, opts: BookReadOptions = {}): BookView {
  const depth = depthOf(opts.depth);
  const core = new BookViewCore(depth);
  let lastRow: Row | undefined;
  let last10: BookSnapshot | undefined;
  return {
    next(state: TablesState): BookSnapshot | undefined {
      const found = findBook(state, symbol, opts.table);
      if (found === undefined) {
        core.reset();
        lastRow = undefined;
        last10 = undefined;
        return undefined;
      }
      if (isBook(found)) return core.next(found);
      if (found === lastRow) return undefined;
      lastRow = found;
      const snap = snapshot10(symbol, found, depth, last10);
      const prev = last10;
      last10 = snap;
      if (prev !== undefined && sameArray(prev.bids, snap.bids) && sameArray(prev.asks, snap.asks)) return undefined;
      return snap;
    },
  };
}

function sameArray(a: readonly BookLevel[], b: readonly BookLevel[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

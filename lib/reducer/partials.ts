/**
 * Partials and forgetting: what replaces a table's image (a partial, per filter) or removes part
 * of it ({@link clearImage}), and the received filters that decide which deltas apply.
 * @module
 */
import { mapForEach, mapGet, mapRemove, mapSet, emptyMap } from '../book/hash-map';
import { bookRows, buildBook, deleteLevel, editBook, emptyBook, insertLevel, applied } from '../book/l2-book';
import type { L2Book } from '../book/l2-book';
import { firstRow } from '../book/book-side';
import { nextToken } from '../book/sorted-tree';
import type { Row, TableFrame } from '../protocol/frames';
import { L2_TABLES } from '../protocol/tables';
import { BOOK10, checkBook10Pairs } from './book10-pairs';
import { accepts, filterOf, filterSet, matches, NO_FILTERS, sameFilter } from './filters';
import type { Filter } from './filters';
import { put, rekey, removeMatchingRows, trim } from './keyed-table';
import { keyList, knownKeys } from './keys';
import { isRow, NO_STRING_SYMBOL, Output, symbolOf } from './output';
import { configOf, copyImages, editTable, findTable, Images, NONE, settleHot, State, Table, withTable } from './state';
import type { Config, TablesState } from './state';

/** Key columns of a keyed table from a partial: the `tableKeys` option, the partial's `keys`, or BitMEX's. */
function keysFor(config: Config, name: string, given: readonly string[] | undefined): readonly string[] {
  const override = config.tableKeys.get(name);
  if (override !== undefined) return override;
  // Keyless tables (trade, quote, bins) stay insert-only logs. bitmex-trio-websocket keyed them
  // by their `attributes`, i.e. (timestamp, symbol), which merges distinct trades of one
  // millisecond; `tableKeys` keys them on purpose.
  if (given !== undefined) return given;
  return knownKeys(name);
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

function newTable(name: string, t: number): Table {
  return new Table(t, name, L2_TABLES.has(name) ? 'l2' : 'log', NONE, NO_FILTERS, emptyMap(), emptyMap(), emptyMap(), 0, -Infinity);
}

export function applyPartial(im: Images, config: Config, name: string, frame: TableFrame, rows: readonly unknown[], t: number): TablesState {
  if (im.hotTable === name) settleHot(im, t);
  const table = findTable(im.tables, name);
  const tb = table === undefined ? newTable(name, t) : editTable(table, t);
  const given = keyList((frame as { keys?: unknown }).keys);
  if (tb.kind !== 'l2') {
    const keys = keysFor(config, name, given);
    const kind = keys.length > 0 ? 'keyed' : 'log';
    if (kind !== tb.kind || !sameKeys(keys, tb.keys)) rekey(tb, kind, keys, t);
  } else tb.keys = given !== undefined && given.length > 0 ? given : knownKeys(name);
  const filter = filterOf((frame as { filter?: unknown }).filter);
  // Books this partial replaces: one it no longer holds becomes empty (not gone, not stale).
  const replaced: string[] = [];
  if (tb.kind === 'l2') mapForEach(tb.books, (b) => {
    if (matches(filter, firstRow(b.bids) ?? firstRow(b.asks) ?? { symbol: b.symbol })) replaced.push(b.symbol);
  });
  removeMatching(tb, filter, t);
  if (!tb.filters.list.some((f) => sameFilter(f, filter))) setFilters(tb, [...tb.filters.list, filter], t);

  const out = new Output(name, 'partial');
  const filterSymbol = typeof filter.symbol === 'string' ? filter.symbol : undefined;
  // An empty image is news too: say so with an empty batch.
  if (rows.length === 0) out.changes.batch(filterSymbol);
  if (tb.kind === 'l2') {
    partialBooks(tb, rows, filterSymbol, out, t);
    for (const symbol of replaced) if (mapGet(tb.books, symbol) === undefined) tb.books = mapSet(tb.books, symbol, emptyBook(symbol), t);
  } else {
    const touched = new Set<string | number>();
    for (let i = 0; i < rows.length; i++) {
      const r = partialRow(rows[i], i, filterSymbol, false, out);
      if (r === undefined) continue;
      const row = Object.freeze(r);
      const pk = put(tb, row, t);
      if (pk === undefined) out.inconsistent('partial', row, tb.keys);
      else {
        touched.add(pk);
        out.changes.add(symbolOf(row), row);
      }
    }
    for (const pk of touched) trim(tb, pk, config, t);
    if (name === BOOK10) checkBook10Pairs(rows, out);
  }
  im.tables = withTable(im.tables, tb);
  return out.state(im, config);
}

/**
 * Row `i` of a partial as its image takes it, or undefined when it is reported unusable: not an
 * object, without a string symbol where images are per symbol (`needsSymbol`), or for another
 * symbol than the filter's (no part of the image the partial replaces: kept, it would land in
 * that symbol's image and no partial of its own would remove it).
 */
function partialRow(r: unknown, i: number, filterSymbol: string | undefined, needsSymbol: boolean, out: Output): Row | undefined {
  if (!isRow(r)) {
    out.reject(i, r);
    return undefined;
  }
  const symbol = r.symbol;
  let why: string | undefined;
  if (typeof symbol !== 'string') why = needsSymbol ? NO_STRING_SYMBOL : undefined;
  else if (filterSymbol !== undefined && symbol !== filterSymbol) why = `is for ${symbol}, not its filter's ${filterSymbol}`;
  if (why === undefined) return r;
  out.reject(i, r, why);
  return undefined;
}

/** The books of an L2 partial: one built per symbol of its rows (rows for a kept book are added to it). */
function partialBooks(tb: Table, rows: readonly unknown[], filterSymbol: string | undefined, out: Output, t: number): void {
  const bySymbol = new Map<string, Row[]>();
  if (filterSymbol !== undefined) bySymbol.set(filterSymbol, []);
  for (let i = 0; i < rows.length; i++) {
    const r = partialRow(rows[i], i, filterSymbol, true, out);
    if (r === undefined) continue;
    const symbol = r.symbol as string;
    let list = bySymbol.get(symbol);
    if (list === undefined) bySymbol.set(symbol, (list = []));
    list.push(r);
  }
  for (const [symbol, list] of bySymbol) {
    const kept = mapGet(tb.books, symbol);
    let book: L2Book;
    if (kept === undefined) {
      book = buildBook(
        symbol,
        list,
        t,
        (row) => out.changes.add(symbol, row),
        (row) => out.inconsistent('partial', row, tb.keys),
      );
    } else {
      book = editBook(kept, t);
      for (const r of list) {
        const next = insertLevel(book, r, t);
        if (next === undefined) out.inconsistent('partial', r, tb.keys);
        else {
          book = next;
          out.changes.add(symbol, applied.row);
        }
      }
    }
    tb.books = mapSet(tb.books, symbol, book, t);
  }
}

/** Sets the received filters of editable table `tb`; books no filter covers go. */
function setFilters(tb: Table, list: readonly Filter[], t: number): void {
  const fs = filterSet(list);
  tb.filters = fs;
  const gone: string[] = [];
  mapForEach(tb.books, (book, symbol) => {
    const sample = firstRow(book.bids) ?? firstRow(book.asks) ?? { symbol };
    if (!accepts(fs, sample)) gone.push(symbol as string);
  });
  for (const s of gone) tb.books = mapRemove(tb.books, s, t);
}

/** Removes the rows matching every field of `filter` (`{}`: all rows) from editable table `tb`. */
function removeMatching(tb: Table, filter: Filter, t: number): void {
  if (tb.kind !== 'l2') {
    removeMatchingRows(tb, filter, t);
    return;
  }
  const fields = Object.keys(filter);
  if (fields.length === 0) {
    tb.books = emptyMap();
    return;
  }
  if (fields.length === 1 && fields[0] === 'symbol' && typeof filter.symbol === 'string') {
    tb.books = mapRemove(tb.books, filter.symbol, t);
    return;
  }
  // Filters on other fields than symbol are not seen on L2 tables; handled, not optimised.
  const books: L2Book[] = [];
  mapForEach(tb.books, (b) => books.push(b));
  for (const b of books) {
    const rows = bookRows(b);
    if (rows.every((r) => matches(filter, r))) {
      tb.books = mapRemove(tb.books, b.symbol, t);
      continue;
    }
    let book = b;
    for (const r of rows) if (matches(filter, r)) book = deleteLevel(book, r, t) ?? book;
    tb.books = mapSet(tb.books, b.symbol, book, t);
  }
}

/**
 * Forgets an image: removes the rows matching every field of `filter` (default `{}`: the whole
 * table) and the received partial filters it covers, so that later deltas for it are skipped
 * again until a new partial. Returns the next state (with no changes); the given one is unchanged.
 */
export function clearImage(state: TablesState, table: string, filter: Readonly<Record<string, unknown>> = {}): TablesState {
  const im = copyImages(state);
  const config = configOf(state);
  if (findTable(im.tables, table) === undefined) return new State(im, config, NONE, NONE, NONE, NONE);
  const t = nextToken();
  if (im.hotTable === table) settleHot(im, t);
  const tb = editTable(findTable(im.tables, table) as Table, t);
  const f = filterOf(filter);
  removeMatching(tb, f, t);
  // A received filter is covered when it has every field of `filter` with the same value.
  const kept = tb.filters.list.filter((x) => !matches(f, x));
  if (kept.length === 0) im.tables = im.tables.filter((x) => x.name !== table);
  else {
    setFilters(tb, kept, t);
    im.tables = withTable(im.tables, tb);
  }
  return new State(im, config, NONE, NONE, NONE, NONE);
}

/**
 * `reduceTables(state, frame)`: applies one table frame and returns the next state, leaving the
 * given one as it was. Only the paths a frame changes are copied (O(rows × log n)); everything
 * else is shared, so an unchanged table, book, side, subtree or row is the same object in both.
 * @module
 */
import { mapForEach, mapGet, mapRemove, mapSet, emptyMap } from '../book/hash-map';
import { bookRows, buildBook, deleteLevel, editBook, emptyBook, insertLevel, updateLevel, applied } from '../book/l2-book';
import type { L2Book } from '../book/l2-book';
import { firstRow } from '../book/book-side';
import { nextToken } from '../book/sorted-tree';
import type { Row, TableAction, TableFrame } from '../protocol/frames';
import { L2_TABLES } from '../protocol/tables';
import { BOOK10, checkBook10Pairs } from './book10-pairs';
import { accepts, filterOf, filterSet, matches, NO_FILTERS, sameFilter } from './filters';
import type { Filter } from './filters';
import { deleteRows, insertRows, put, rekey, removeMatchingRows, trim, updateRows } from './keyed-table';
import { keyList, knownKeys } from './keys';
import { isRow, Output, symbolOf } from './output';
import { bookAt, configOf, copyImages, editTable, findTable, Images, imagesIn, NONE, settleHot, State, Table, tablesIn, withTable } from './state';
import type { Config, TablesState, Unusable } from './state';

const ACTIONS: ReadonlySet<unknown> = new Set(['partial', 'insert', 'update', 'delete']);
const NO_SYMBOL = 'has no string symbol';

/**
 * Applies one table frame and returns the next state. The given state stays valid and
 * unchanged: any state may be read or reduced again (another branch), any number of times.
 *
 * Never throws on frame content: unknown rows become {@link TablesState.inconsistencies}, rows
 * before their partial {@link TablesState.skipped}; a frame that is not a table frame at all (no
 * table name, unknown action, no `data` array) changes nothing, and it and rows that cannot be
 * used (not objects, order-book rows without a symbol) are listed in
 * {@link TablesState.unusable}, as is, once per frame, an `orderBook10` row holding a pair that is
 * not [finite price, finite size ≥ 0] (the row is kept; books leave such pairs out). Inputs are not changed, except that the rows it
 * keeps or reports are frozen in place (and may be a frame's own `data` array, as the `rows` of
 * its change): do not change a frame after passing it in.
 */
export function reduceTables(state: TablesState, frame: TableFrame): TablesState {
  const tables = tablesIn(state);
  const config = configOf(state);
  const f = frame as unknown;
  if (typeof f !== 'object' || f === null) return unusableFrame(state, config, undefined, 'not a table frame', f);
  const name = frame.table;
  const action = frame.action;
  if (typeof name !== 'string' || !ACTIONS.has(action)) {
    return unusableFrame(state, config, typeof name === 'string' ? name : undefined, 'not a table frame (no table name, or an unknown action)', f);
  }
  const rows: unknown = frame.data;
  if (!Array.isArray(rows)) return unusableFrame(state, config, name, 'table frame without a data array', f);
  const table = findTable(tables, name);
  const t = nextToken();
  if (action === 'partial') return applyPartial(copyImages(state), config, name, frame, rows, t);
  if (table === undefined) return skipAll(state, config, name, action, rows);
  if (table.kind === 'l2') return reduceL2Frame(state, config, table, action, rows, t);
  const tb = editTable(table, t);
  const out = new Output(name, action);
  switch (action) {
    case 'insert':
      insertRows(tb, rows, out, config, t);
      break;
    case 'update':
      updateRows(tb, rows, out, t);
      break;
    case 'delete':
      deleteRows(tb, rows, out, t);
      break;
    default: {
      const never: never = action;
      void never;
    }
  }
  if (name === BOOK10 && action !== 'delete') checkBook10Pairs(rows, out);
  const next = copyImages(state);
  next.tables = withTable(tables, tb);
  return out.state(next, config);
}

/** The images {@link reduceL2} builds the next state in: one object reused, no allocation per frame. */
const scratch = new Images(NONE, undefined, undefined);
/** Whether {@link scratch} is in use: a row's getter (user code) may reduce another frame meanwhile. */
let scratchBusy = false;

/** {@link reduceL2} in {@link scratch}, or in images of its own when reduceTables was re-entered. */
function reduceL2Frame(state: TablesState, config: Config, table: Table, action: 'insert' | 'update' | 'delete', rows: readonly unknown[], t: number): TablesState {
  if (scratchBusy) return reduceL2(copyImages(state), config, table, action, rows, t);
  scratchBusy = true;
  try {
    return reduceL2(imagesIn(state, scratch), config, table, action, rows, t);
  } finally {
    scratchBusy = false;
    // Hold on to nothing of the state once built (its book may be large).
    scratch.tables = NONE;
    scratch.hot = undefined;
    scratch.hotTable = undefined;
  }
}

/** A frame that cannot be used at all: nothing changes, and it is listed as unusable. */
function unusableFrame(state: TablesState, config: Config, table: string | undefined, reason: string, value: unknown): TablesState {
  const what: Unusable = table === undefined ? { reason, value } : { table, reason, value };
  return new State(copyImages(state), config, NONE, NONE, NONE, [Object.freeze(what)]);
}

/** A delta for a table with no partial yet: every row skipped. */
function skipAll(state: TablesState, config: Config, name: string, action: TableAction, rows: readonly unknown[]): TablesState {
  const out = new Output(name, action);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (isRow(row)) out.skip(row);
    else out.reject(i, row);
  }
  return out.state(copyImages(state), config);
}

// ---------------------------------------------------------------------------------- L2 books

/**
 * Deltas of an L2 table: the hot path. While every row applies and all rows share one symbol
 * (nearly always), the rows go straight into one change batch; the general bookkeeping
 * ({@link Output}) is set up only when a row is skipped, inconsistent or of another symbol.
 * Inserts and whole-row updates store the given (frozen) row objects themselves, so the batch
 * is then the frame's own `data` array: no array is allocated for it.
 */
function reduceL2(im: Images, config: Config, table: Table, action: 'insert' | 'update' | 'delete', rows: readonly unknown[], t: number): TablesState {
  // The batch so far: rows[0, count) while `own` (each applied row is the given object), else
  // done[0, count), an array sized for the whole frame (no growth on push).
  let own = true;
  let done: Row[] | undefined;
  let count = 0;
  let doneSymbol: string | undefined;
  let out: Output | undefined;
  // This table as it now is in `im.tables` (settling the hot book may edit it).
  let tb = table;
  // The book of the last row, and its symbol.
  let book: L2Book | undefined;
  let bookSymbol: unknown;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!isRow(r)) {
      out ??= begin(table.name, action, own ? (rows as readonly Row[]) : (done as Row[]), count, doneSymbol);
      out.reject(i, r);
      continue;
    }
    const symbol = r.symbol;
    if (symbol !== bookSymbol || book === undefined) {
      bookSymbol = symbol;
      book = typeof symbol === 'string' ? bookAt(tb, symbol, im.hot, im.hotTable) : undefined;
      if (book === undefined && typeof symbol === 'string' && accepts(table.filters, r)) book = emptyBook(symbol);
    }
    let row: Row | undefined;
    if (book !== undefined) {
      let next: L2Book | undefined;
      switch (action) {
        case 'update':
          next = updateLevel(book, r, t);
          break;
        case 'insert':
          next = insertLevel(book, r, t);
          break;
        case 'delete':
          next = deleteLevel(book, r, t);
          break;
        default: {
          const never: never = action;
          void never;
        }
      }
      if (next !== undefined) {
        row = applied.row;
        if (next !== book) {
          // A stream of frames for one book replaces the hot book and nothing else.
          if (book !== im.hot) {
            settleHot(im, t);
            tb = findTable(im.tables, table.name) as Table;
            im.hotTable = table.name;
          }
          im.hot = next;
          book = next;
        }
      }
      if (row !== undefined && out === undefined) {
        doneSymbol ??= book.symbol;
        if (book.symbol === doneSymbol) {
          if (own) {
            if (row === r) {
              count++;
              continue;
            }
            done = copyRows(rows, count);
            own = false;
          }
          (done as Row[])[count++] = row;
          continue;
        }
      }
    }
    out ??= begin(table.name, action, own ? (rows as readonly Row[]) : (done as Row[]), count, doneSymbol);
    if (book === undefined) {
      if (typeof symbol === 'string') out.skip(r);
      else out.reject(i, r, NO_SYMBOL);
    } else if (row === undefined) out.inconsistent(action, r, table.keys);
    else out.changes.add(book.symbol, row);
  }
  if (out !== undefined) return out.state(im, config);
  if (count === 0) return new State(im, config, NONE, NONE, NONE, NONE);
  // Every row took the one-batch path: the batch is the whole frame.
  const batch = own ? (rows as Row[]) : (done as Row[]);
  return new State(im, config, undefined, NONE, NONE, NONE, table.name, action, doneSymbol, batch);
}

/** The general bookkeeping of an L2 frame, taking over the first `count` rows of the one batch so far. */
function begin(name: string, action: TableAction, batch: readonly Row[], count: number, symbol: string | undefined): Output {
  const out = new Output(name, action);
  for (let j = 0; j < count; j++) out.changes.add(symbol, batch[j] as Row);
  return out;
}

/** A frame-sized array holding the first `count` rows of `rows`. */
function copyRows(rows: readonly unknown[], count: number): Row[] {
  const done = rows.length === 1 ? [] : new Array<Row>(rows.length);
  for (let j = 0; j < count; j++) done[j] = rows[j] as Row;
  return done;
}

// ------------------------------------------------------------------------------- partials

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

function applyPartial(im: Images, config: Config, name: string, frame: TableFrame, rows: readonly unknown[], t: number): TablesState {
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
      const r = rows[i];
      if (!isRow(r)) {
        out.reject(i, r);
        continue;
      }
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

/** The books of an L2 partial: one built per symbol of its rows (rows for a kept book are added to it). */
function partialBooks(tb: Table, rows: readonly unknown[], filterSymbol: string | undefined, out: Output, t: number): void {
  const bySymbol = new Map<string, Row[]>();
  if (filterSymbol !== undefined) bySymbol.set(filterSymbol, []);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!isRow(r)) {
      out.reject(i, r);
      continue;
    }
    const symbol = r.symbol;
    if (typeof symbol !== 'string') {
      out.reject(i, r, NO_SYMBOL);
      continue;
    }
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

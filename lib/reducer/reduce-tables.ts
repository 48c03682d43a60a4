/**
 * `reduceTables(state, frame)`: applies one table frame and returns the next state, leaving the
 * given one as it was. Only the paths a frame changes are copied (O(rows × log n)); everything
 * else is shared, so an unchanged table, book, side, subtree or row is the same object in both.
 * @module
 */
import { deleteLevel, emptyBook, insertLevel, updateLevel, applied } from '../book/l2-book';
import type { L2Book } from '../book/l2-book';
import { nextToken } from '../book/sorted-tree';
import type { Row, TableAction, TableFrame } from '../protocol/frames';
import { BOOK10, checkBook10Pairs } from './book10-pairs';
import { accepts } from './filters';
import { deleteRows, insertRows, updateRows } from './keyed-table';
import { isRow, NO_STRING_SYMBOL, Output } from './output';
import { bookAt, configOf, copyImages, editTable, findTable, Images, imagesIn, NONE, settleHot, State, Table, tablesIn, withTable } from './state';
import type { Config, TablesState, Unusable } from './state';
import { applyPartial } from './partials';

const ACTIONS: ReadonlySet<unknown> = new Set(['partial', 'insert', 'update', 'delete']);

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
    // An insert of a level already held is applied (the server's row wins) and reported.
    let held = false;
    if (book !== undefined) {
      let next: L2Book | undefined;
      switch (action) {
        case 'update':
          next = updateLevel(book, r, t);
          break;
        case 'insert':
          next = insertLevel(book, r, t);
          held = next !== undefined && applied.held;
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
      if (row !== undefined && out === undefined && !held) {
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
      else out.reject(i, r, NO_STRING_SYMBOL);
    } else if (row === undefined) out.inconsistent(action, r, table.keys);
    else {
      if (held) out.inconsistent(action, row, table.keys);
      out.changes.add(book.symbol, row);
    }
  }
  if (out !== undefined) return out.state(im, config);
  if (count === 0) return new State(im, config, NONE, NONE, NONE, NONE);
  // Every row took the one-batch path: the batch is the whole frame, and its book the hot one.
  return new State(im, config, undefined, NONE, NONE, NONE, action, own ? (rows as Row[]) : (done as Row[]));
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


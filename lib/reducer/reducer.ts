/**
 * The table / order-book reducer: a pure `(state, frame) => state` for RxJS `scan`.
 *
 * ```ts
 * frames$.pipe(scan(reduceTables, emptyTables()))   // use defer() if the pipe is subscribed twice
 * ```
 *
 * Each state says what its frame did (`changes`, `inconsistencies`, `skipped`; the change list
 * of a one-batch frame is built on first read, as book readers never read it) and gives read
 * access to the images (`rowsOf`, `bookOf`, ...). The images live in mutable internals shared by
 * successive states (copying whole tables per frame would be O(n)), so only the latest state is
 * readable: using an older one throws {@link StaleStateError}. Everything handed out — rows,
 * change batches, snapshots — is frozen or never touched again. Rows of the frames given to the
 * reducer are frozen in place and adopted, and so may be a frame's `data` array (as the `rows`
 * of its change): do not change a frame after passing it in.
 * @module
 */
import { BookViewCore, depthOf, freezeSnapshot, L2Book, levelsOf10 } from '../book/l2-book';
import type { BookLevel, BookSnapshot } from '../book/l2-book';
import { BitmexError } from '../protocol/errors';
import type { PartialFrame, Row, TableAction, TableFrame } from '../protocol/frames';
import { L2_TABLES, TABLE_KEYS as KNOWN_KEYS, type BookTable } from '../protocol/tables';
import { timestampMs } from '../protocol/timestamp';

export type { BookLevel, BookSnapshot } from '../book/l2-book';
export { parseTimestamp } from '../protocol/timestamp';

/** Options of {@link emptyTables}. */
export interface ReducerOptions {
  /** Key columns per table; wins over the partial's `keys` and `attributes`. Ignored for L2 tables. */
  readonly tableKeys?: Readonly<Record<string, readonly string[]>>;
  /**
   * Most rows kept per table and symbol (default 200), like the official connector's
   * `maxTableLen`. Oldest rows go first; `order` drops only closed orders older than 60 s;
   * order books are never trimmed.
   */
  readonly maxTableLength?: number;
  /** Clock (ms) for the age of closed orders; default: the newest `order` timestamp seen. */
  readonly now?: () => number;
}

/**
 * What one frame did to one table for one symbol. Its rows are frozen; the batch and its array
 * are typed readonly but not frozen (the reducer never touches them again).
 */
export interface Change {
  readonly table: string;
  readonly action: TableAction;
  /** Absent when the rows have no `symbol` field. */
  readonly symbol?: string;
  /**
   * partial: all rows of the new image for that filter; insert: the new rows; update: the new
   * merged rows; delete: the removed (stored, full) rows.
   */
  readonly rows: readonly Row[];
}

/** An update or delete for a row the image does not hold: the local image of that topic is wrong. */
export interface Inconsistency {
  readonly table: string;
  /** `update` or `delete`; `insert`/`partial` for an L2 row that cannot be placed (no price or id). */
  readonly action: TableAction;
  readonly symbol?: string;
  /** {@link makeKey} of the row. */
  readonly key: string;
  /** The row as received. */
  readonly row: Row;
}

/** A reducer state: what the last frame did, plus read access to the images (latest state only). */
export interface TablesState {
  /** What this frame did; one batch per symbol, in order of first appearance. */
  readonly changes: readonly Change[];
  /** Updates/deletes of this frame for unknown rows (never thrown). */
  readonly inconsistencies: readonly Inconsistency[];
  /** Rows of this frame dropped because no partial covering them was received yet. */
  readonly skipped: readonly Change[];
  /** Increases with every reduction; only the latest is usable. */
  readonly version: number;
}

/** A state older than the latest one was read or reduced. */
export class StaleStateError extends BitmexError {
  override name = 'StaleStateError';
  constructor(readonly version: number, readonly latest: number) {
    super(
      `stale reducer state: version ${version} used after version ${latest} was produced; ` +
        'only the latest state can be read or reduced (internals are shared between states)',
    );
  }
}

/**
 * The string key of a row: its key columns' values joined. `keys` defaults to the keys BitMEX
 * uses for `table` (none for unknown tables).
 */
export function makeKey(table: string, row: Row, keys: readonly string[] = KNOWN_KEYS[table] ?? []): string {
  if (keys.length === 1) return keyPart(row[keys[0] as string]);
  let s = '';
  for (let i = 0; i < keys.length; i++) s += (i === 0 ? '' : '\u001f') + keyPart(row[keys[i] as string]);
  return s;
}

function keyPart(v: unknown): string {
  return v === undefined || v === null ? '\u0000' : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

type Filter = Readonly<Record<string, unknown>>;
/** Rows of one symbol (or of rows without one), in arrival order, by key (a counter for logs). */
type Partition = Map<string | number, Row>;

const ORDER_CLOSED_AGE_MS = 60_000;

/** Internal, mutable image of one table. */
class TableImage {
  /** Key columns reported by keysOf. */
  keys: readonly string[] = [];
  /** 'l2': price-sorted books; 'keyed': by key; 'log': insert-only. */
  kind: 'l2' | 'keyed' | 'log';
  /** Partial filters received. */
  filters: Filter[] = [];
  filterAll = false;
  filterSymbols = new Set<string>();
  otherFilters: Filter[] = [];
  /** L2: books by symbol (exist only while covered by a filter). */
  readonly books = new Map<string, L2Book>();
  /** L2: the book last looked up (frames are nearly always for the same symbol). */
  lastBook: L2Book | undefined;
  /** keyed/log: rows by symbol, each in arrival order. */
  readonly parts = new Map<string | undefined, Partition>();
  /** keyed: every row by key (rows may omit `symbol` in sparse updates). */
  readonly index = new Map<string, Row>();
  /** log: next row number. */
  counter = 0;
  /** order: newest `timestamp` seen (ms). */
  newest = -Infinity;
  constructor(readonly name: string) {
    this.kind = L2_TABLES.has(name) ? 'l2' : 'log';
  }

  setFilters(filters: Filter[]): void {
    this.filters = filters;
    this.filterAll = false;
    this.filterSymbols = new Set();
    this.otherFilters = [];
    this.lastBook = undefined;
    for (const f of filters) {
      const fields = Object.keys(f);
      if (fields.length === 0) this.filterAll = true;
      else if (fields.length === 1 && fields[0] === 'symbol' && typeof f.symbol === 'string') this.filterSymbols.add(f.symbol);
      else this.otherFilters.push(f);
    }
    // Books exist only while some filter covers them.
    for (const [symbol, book] of this.books) {
      const sample = book.bids.firstRow() ?? book.asks.firstRow() ?? { symbol };
      if (!this.accepts(sample)) this.books.delete(symbol);
    }
  }

  /** Whether some received partial filter covers the row. */
  accepts(row: Row): boolean {
    if (this.filterAll) return true;
    const s = row.symbol;
    if (typeof s === 'string' && this.filterSymbols.has(s)) return true;
    const others = this.otherFilters;
    for (let i = 0; i < others.length; i++) if (matches(others[i] as Filter, row)) return true;
    return false;
  }
}

function matches(filter: Filter, row: Row): boolean {
  for (const k in filter) if (row[k] !== filter[k]) return false;
  return true;
}

/** Internal store shared by the states of one reducer chain. */
class Store {
  version = 0;
  readonly tables = new Map<string, TableImage>();
  /** The table of the last frame (cleared when tables are removed). */
  lastTable: TableImage | undefined;
  /**
   * Bumped whenever a table or an L2 book may have been added or removed (partials,
   * {@link clearImage}, a book created by a delta), so that a book view can keep its book
   * between frames and look it up again only then.
   */
  layout = 0;
  readonly maxTableLength: number;
  constructor(readonly options: ReducerOptions) {
    this.maxTableLength = options.maxTableLength ?? 200;
  }
}

const STORE: unique symbol = Symbol('bitmex-rxjs.store');
const NONE: readonly never[] = Object.freeze([]);

/**
 * A state. The change list of a frame that made one batch (nearly every L2 delta) is built when
 * first read: book readers (views, snapshots) never read it, and a state is allocated per frame.
 */
class State implements TablesState {
  /** @internal */
  readonly [STORE]: Store;
  readonly version: number;
  /** The change list, or undefined until built from the one batch below. */
  private changeList: readonly Change[] | undefined;
  private readonly batchTable: string | undefined;
  private readonly batchAction: TableAction | undefined;
  private readonly batchSymbol: string | undefined;
  private readonly batchRows: readonly Row[] | undefined;
  constructor(
    store: Store,
    list: readonly Change[] | undefined,
    readonly inconsistencies: readonly Inconsistency[],
    readonly skipped: readonly Change[],
    table?: string,
    action?: TableAction,
    symbol?: string,
    rows?: readonly Row[],
  ) {
    this[STORE] = store;
    this.version = store.version;
    this.changeList = list;
    this.batchTable = table;
    this.batchAction = action;
    this.batchSymbol = symbol;
    this.batchRows = rows;
  }

  /** See {@link TablesState.changes}; built on first read for a one-batch frame, then kept. */
  get changes(): readonly Change[] {
    let list = this.changeList;
    if (list === undefined) {
      const change: Change = {
        table: this.batchTable as string,
        action: this.batchAction as TableAction,
        symbol: this.batchSymbol as string,
        rows: this.batchRows as Row[],
      };
      this.changeList = list = [change];
    }
    return list;
  }
}

function storeOf(state: TablesState): Store {
  const store = (state as Partial<State>)[STORE];
  if (store === undefined) throw new TypeError('not a state made by emptyTables()/reduceTables()');
  if (state.version !== store.version) throw new StaleStateError(state.version, store.version);
  return store;
}

/** The initial state. */
export function emptyTables(options: ReducerOptions = {}): TablesState {
  return new State(new Store(options), NONE, NONE, NONE);
}

/** Mutable batch being filled. */
interface Batch {
  readonly symbol: string | undefined;
  readonly rows: Row[];
}

/** Groups rows per symbol, in order of first appearance. */
class Batches {
  private list: Batch[] | undefined;
  private last: Batch | undefined;
  add(symbol: string | undefined, row: Row): void {
    const last = this.last;
    if (last !== undefined && last.symbol === symbol) {
      last.rows.push(row);
      return;
    }
    this.batch(symbol).rows.push(row);
  }
  /** The batch of `symbol`, created (possibly empty) if needed. */
  batch(symbol: string | undefined): Batch {
    let list = this.list;
    if (list === undefined) list = this.list = [];
    let b: Batch | undefined;
    for (let i = 0; i < list.length; i++) if ((list[i] as Batch).symbol === symbol) b = list[i];
    if (b === undefined) list.push((b = { symbol, rows: [] }));
    this.last = b;
    return b;
  }
  done(table: string, action: TableAction): readonly Change[] {
    const list = this.list;
    if (list === undefined) return NONE;
    const out: Change[] = new Array(list.length);
    for (let i = 0; i < list.length; i++) {
      const b = list[i] as Batch;
      out[i] = b.symbol === undefined ? { table, action, rows: b.rows } : { table, action, symbol: b.symbol, rows: b.rows };
    }
    return out;
  }
}

/** Collects what one frame did. */
class Output {
  readonly changes = new Batches();
  readonly skipped = new Batches();
  inconsistencies: Inconsistency[] | undefined;
  constructor(readonly table: TableImage) {}
  state(store: Store, action: TableAction): TablesState {
    const name = this.table.name;
    const inc = this.inconsistencies;
    return new State(store, this.changes.done(name, action), inc === undefined ? NONE : inc, this.skipped.done(name, action));
  }
  inconsistent(action: TableAction, row: Row): void {
    const t = this.table;
    const symbol = symbolOf(row);
    const key = makeKey(t.name, row, t.keys);
    const inc: Inconsistency = symbol === undefined ? { table: t.name, action, key, row } : { table: t.name, action, symbol, key, row };
    (this.inconsistencies ??= []).push(Object.freeze(inc));
  }
}

function symbolOf(row: Row): string | undefined {
  const s = row.symbol;
  return typeof s === 'string' ? s : undefined;
}

function isRow(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Applies one table frame. Never throws on frame content (only on a stale or foreign state):
 * unknown rows become {@link TablesState.inconsistencies}, rows before their partial
 * {@link TablesState.skipped}.
 */
export function reduceTables(state: TablesState, frame: TableFrame): TablesState {
  const store = storeOf(state);
  const frameNo = ++store.version;
  const name = frame.table;
  let table = store.lastTable;
  if (table === undefined || table.name !== name) table = store.lastTable = store.tables.get(name);
  const action = frame.action;
  const rows: readonly unknown[] = Array.isArray(frame.data) ? frame.data : NONE;
  if (action === 'partial') {
    store.layout++;
    if (table === undefined) store.tables.set(name, (table = new TableImage(name)));
  } else if (table === undefined) {
    // No partial yet for this table at all.
    return skipAll(store, frame, rows);
  } else if (table.kind === 'l2') {
    return reduceL2(store, table, action, rows, frameNo);
  }
  const out = new Output(table);
  switch (action) {
    case 'partial':
      applyPartial(store, table, frame, rows, out, frameNo);
      break;
    case 'insert':
      genericInsert(store, table, rows, out);
      break;
    case 'update':
      genericUpdate(table, rows, out);
      break;
    case 'delete':
      genericDelete(table, rows, out);
      break;
    default: {
      const never: never = action;
      void never;
    }
  }
  return out.state(store, action);
}

function skipAll(store: Store, frame: TableFrame, rows: readonly unknown[]): TablesState {
  const skipped = new Batches();
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (isRow(row)) skipped.add(symbolOf(row), Object.freeze(row));
  }
  return new State(store, NONE, NONE, skipped.done(frame.table, frame.action));
}

// ---------------------------------------------------------------------------------- L2 books

function bookFor(store: Store, table: TableImage, row: Row, frameNo: number): L2Book | undefined {
  const symbol = row.symbol;
  let book = table.lastBook;
  if (book === undefined || book.symbol !== symbol) {
    if (typeof symbol !== 'string') return undefined;
    book = table.books.get(symbol);
    if (book === undefined) {
      if (!table.accepts(row)) return undefined;
      table.books.set(symbol, (book = new L2Book(symbol)));
      store.layout++;
    }
    table.lastBook = book;
  }
  book.begin(frameNo);
  return book;
}

/**
 * Deltas of an L2 table: the hot path. While every row applies and all rows share one symbol
 * (nearly always), the rows go straight into one change batch; the general bookkeeping
 * ({@link Output}) is set up only when a row is skipped, inconsistent or of another symbol.
 * Inserts and whole-row updates store the given (frozen) row objects themselves, so the batch
 * is then the frame's own `data` array: no array is allocated for it.
 */
function reduceL2(store: Store, table: TableImage, action: 'insert' | 'update' | 'delete', rows: readonly unknown[], frameNo: number): TablesState {
  // The batch so far: rows[0, count) while `own` (each applied row is the given object), else
  // done[0, count), an array sized for the whole frame (no growth on push).
  let own = true;
  let done: Row[] | undefined;
  let count = 0;
  let doneBook: L2Book | undefined;
  let out: Output | undefined;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!isRow(r)) {
      if (own) done = copyRows(rows, count);
      own = false;
      continue;
    }
    const book = bookFor(store, table, r, frameNo);
    let row: Row | undefined;
    if (book !== undefined) {
      switch (action) {
        case 'update':
          row = book.update(r);
          break;
        case 'insert':
          row = book.insert(r);
          break;
        case 'delete':
          row = book.delete(r);
          break;
        default: {
          const never: never = action;
          void never;
        }
      }
      if (row !== undefined && out === undefined) {
        doneBook ??= book;
        if (book === doneBook) {
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
    if (out === undefined) {
      out = new Output(table);
      const batch = own ? (rows as readonly Row[]) : (done as Row[]);
      for (let j = 0; j < count; j++) out.changes.add((doneBook as L2Book).symbol, batch[j] as Row);
    }
    if (book === undefined) out.skipped.add(symbolOf(r), Object.freeze(r));
    else if (row === undefined) out.inconsistent(action, Object.freeze(r));
    else out.changes.add(book.symbol, row);
  }
  if (out !== undefined) return out.state(store, action);
  if (count === 0) return new State(store, NONE, NONE, NONE);
  let batch: Row[];
  if (own) batch = rows as Row[];
  else {
    batch = done as Row[];
    if (count < batch.length) batch.length = count; // rows that were not objects
  }
  return new State(store, undefined, NONE, NONE, table.name, action, (doneBook as L2Book).symbol, batch);
}

/** A frame-sized array holding the first `count` rows of `rows`. */
function copyRows(rows: readonly unknown[], count: number): Row[] {
  const done = rows.length === 1 ? [] : new Array<Row>(rows.length);
  for (let j = 0; j < count; j++) done[j] = rows[j] as Row;
  return done;
}

// ------------------------------------------------------------------------------- partials

function keysFor(store: Store, frame: PartialFrame): readonly string[] {
  const override = store.options.tableKeys?.[frame.table];
  if (override !== undefined) return override;
  // Keyless tables (trade, quote, bins) stay insert-only logs. bitmex-trio-websocket keyed them
  // by their `attributes`, i.e. (timestamp, symbol), which merges distinct trades of one
  // millisecond; `tableKeys` keys them on purpose.
  if (frame.keys !== undefined) return frame.keys;
  // A partial without any `keys` field gets the keys BitMEX documents for the table.
  return KNOWN_KEYS[frame.table] ?? [];
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

function applyPartial(store: Store, table: TableImage, frame: PartialFrame, rows: readonly unknown[], out: Output, frameNo: number): void {
  const keys = keysFor(store, frame);
  if (table.kind !== 'l2') {
    const kind = keys.length > 0 ? 'keyed' : 'log';
    if (kind !== table.kind || !sameKeys(keys, table.keys)) rekey(table, kind, keys);
  } else {
    table.keys = frame.keys !== undefined && frame.keys.length > 0 ? frame.keys : KNOWN_KEYS[table.name] ?? [];
  }
  const filter: Filter = isRow(frame.filter) ? frame.filter : {};
  removeMatching(table, filter, frameNo);
  if (!table.filters.some((f) => sameFilter(f, filter))) table.setFilters([...table.filters, filter]);

  const filterSymbol = typeof filter.symbol === 'string' ? filter.symbol : undefined;
  // An empty image is news too: say so with an empty batch.
  if (rows.length === 0) out.changes.batch(filterSymbol);
  if (table.kind === 'l2') {
    if (filterSymbol !== undefined) {
      const book = table.books.get(filterSymbol) ?? new L2Book(filterSymbol);
      table.books.set(filterSymbol, book);
      book.clear(frameNo);
    }
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      if (!isRow(r)) continue;
      const symbol = r.symbol;
      if (typeof symbol !== 'string') {
        Object.freeze(r);
        continue;
      }
      let book = table.books.get(symbol);
      if (book === undefined) {
        table.books.set(symbol, (book = new L2Book(symbol)));
        book.clear(frameNo);
      }
      book.begin(frameNo);
      const row = book.insert(r);
      if (row !== undefined) out.changes.add(symbol, row);
      else out.inconsistent('partial', Object.freeze(r));
    }
    return;
  }
  const touched = new Set<Partition>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!isRow(r)) continue;
    const row = Object.freeze(r);
    touched.add(put(table, row));
    out.changes.add(symbolOf(row), row);
  }
  for (const part of touched) trim(store, table, part);
}

function sameFilter(a: Filter, b: Filter): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => b[k] === a[k]);
}

/** Removes the rows matching every field of `filter` (`{}`: all rows). */
function removeMatching(table: TableImage, filter: Filter, frameNo: number): void {
  table.lastBook = undefined;
  const fields = Object.keys(filter);
  if (fields.length === 0) {
    table.books.clear();
    table.parts.clear();
    table.index.clear();
    return;
  }
  if (fields.length === 1 && fields[0] === 'symbol') {
    const symbol = filter.symbol;
    if (typeof symbol === 'string') {
      table.books.delete(symbol);
      const part = table.parts.get(symbol);
      if (part !== undefined) {
        table.parts.delete(symbol);
        if (table.kind === 'keyed') for (const k of part.keys()) table.index.delete(k as string);
      }
      // Keyed rows that lacked a symbol still carry one in no partition: nothing more to do.
      return;
    }
  }
  // Filters on other fields than symbol are not seen on L2 tables; handled, not optimised.
  for (const [symbol, book] of table.books) {
    const rows = book.rows();
    if (rows.every((r) => matches(filter, r))) {
      table.books.delete(symbol);
      continue;
    }
    book.begin(frameNo);
    for (const r of rows) if (matches(filter, r)) book.delete(r);
    book.resetSeq = book.seq; // views must walk again
  }
  for (const [symbol, part] of table.parts) {
    for (const [k, r] of part) {
      if (!matches(filter, r)) continue;
      part.delete(k);
      if (table.kind === 'keyed') table.index.delete(k as string);
    }
    if (part.size === 0) table.parts.delete(symbol);
  }
}

/** Re-files every stored row under new key columns. */
function rekey(table: TableImage, kind: 'keyed' | 'log', keys: readonly string[]): void {
  const all: Row[] = [];
  for (const part of table.parts.values()) for (const r of part.values()) all.push(r);
  table.parts.clear();
  table.index.clear();
  table.kind = kind;
  table.keys = keys;
  for (const r of all) put(table, r);
}

// ------------------------------------------------------------------ keyed tables and logs

/** Stores a frozen row (replacing a row with the same key); returns its partition. */
function put(table: TableImage, row: Row): Partition {
  const symbol = symbolOf(row);
  let part = table.parts.get(symbol);
  if (part === undefined) table.parts.set(symbol, (part = new Map()));
  if (table.kind === 'log') {
    part.set(table.counter++, row);
  } else {
    const key = makeKey(table.name, row, table.keys);
    const old = table.index.get(key);
    if (old !== undefined) table.parts.get(symbolOf(old))?.delete(key);
    table.index.set(key, row);
    part.set(key, row);
  }
  if (table.name === 'order') noteOrderTime(table, row);
  return part;
}

function noteOrderTime(table: TableImage, row: Row): void {
  const ts = row.timestamp;
  if (typeof ts === 'string') {
    const ms = timestampMs(ts);
    if (ms > table.newest) table.newest = ms;
  }
}

function genericInsert(store: Store, table: TableImage, rows: readonly unknown[], out: Output): void {
  let touched: Partition | undefined;
  let more: Set<Partition> | undefined;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!isRow(r)) continue;
    const row = Object.freeze(r);
    if (!table.accepts(row)) {
      out.skipped.add(symbolOf(row), row);
      continue;
    }
    const part = put(table, row);
    if (touched === undefined) touched = part;
    else if (part !== touched) (more ??= new Set()).add(part);
    out.changes.add(symbolOf(row), row);
  }
  if (touched !== undefined) trim(store, table, touched);
  if (more !== undefined) for (const part of more) trim(store, table, part);
}

/**
 * The stored row a sparse update or delete refers to, by the table's keys. A row that finds
 * none is reported: as an inconsistency when a partial covers it, else as skipped.
 */
function findStored(
  table: TableImage,
  r: unknown,
  action: 'update' | 'delete',
  out: Output,
): { key: string; old: Row; given: Row } | undefined {
  if (!isRow(r)) return undefined;
  const given = Object.freeze(r);
  const key = table.kind === 'keyed' ? makeKey(table.name, given, table.keys) : undefined;
  const old = key === undefined ? undefined : table.index.get(key);
  if (old === undefined || key === undefined) {
    if (table.accepts(given)) out.inconsistent(action, given);
    else out.skipped.add(symbolOf(given), given);
    return undefined;
  }
  return { key, old, given };
}

function genericUpdate(table: TableImage, rows: readonly unknown[], out: Output): void {
  for (let i = 0; i < rows.length; i++) {
    const found = findStored(table, rows[i], 'update', out);
    if (found === undefined) continue;
    const { key, old, given: patch } = found;
    const row = Object.freeze({ ...old, ...patch });
    table.index.set(key, row);
    const symbol = symbolOf(old);
    if (symbol === symbolOf(row)) table.parts.get(symbol)?.set(key, row);
    else {
      table.parts.get(symbol)?.delete(key);
      table.index.delete(key);
      put(table, row);
    }
    if (table.name === 'order') noteOrderTime(table, row);
    out.changes.add(symbolOf(row), row);
  }
}

function genericDelete(table: TableImage, rows: readonly unknown[], out: Output): void {
  for (let i = 0; i < rows.length; i++) {
    const found = findStored(table, rows[i], 'delete', out);
    if (found === undefined) continue;
    const { key, old } = found;
    table.index.delete(key);
    const symbol = symbolOf(old);
    const part = table.parts.get(symbol);
    if (part !== undefined) {
      part.delete(key);
      if (part.size === 0) table.parts.delete(symbol);
    }
    out.changes.add(symbol, old);
  }
}

/** Drops the oldest rows of a partition beyond the limit (closed, old ones only for `order`). */
function trim(store: Store, table: TableImage, part: Partition): void {
  const max = store.maxTableLength;
  if (part.size <= max) return;
  if (table.name === 'order') {
    const now = store.options.now?.() ?? table.newest;
    for (const [k, r] of part) {
      if (part.size <= max) break;
      if (r.leavesQty !== 0) continue;
      const ts = r.timestamp;
      const age = now - (typeof ts === 'string' ? timestampMs(ts) : NaN);
      if (!(age > ORDER_CLOSED_AGE_MS)) continue;
      part.delete(k);
      table.index.delete(k as string);
    }
    return;
  }
  const keyed = table.kind === 'keyed';
  while (part.size > max) {
    const k = part.keys().next().value as string | number;
    part.delete(k);
    if (keyed) table.index.delete(k as string);
  }
}

// ---------------------------------------------------------------------------------- reading

/**
 * Current rows of a table (one symbol's, or all). Keyed tables: sorted by their key columns;
 * insert-only logs: arrival order; L2 books: asks then bids, each from the highest price down.
 * A fresh frozen array of frozen rows; empty for unknown tables.
 */
export function rowsOf(state: TablesState, table: string, symbol?: string): readonly Row[] {
  const t = storeOf(state).tables.get(table);
  if (t === undefined) return NONE;
  if (t.kind === 'l2') {
    if (symbol !== undefined) return Object.freeze(t.books.get(symbol)?.rows() ?? []);
    const out: Row[] = [];
    for (const book of t.books.values()) out.push(...book.rows());
    return Object.freeze(out);
  }
  let rows: Row[];
  if (symbol !== undefined) {
    rows = [...(t.parts.get(symbol)?.values() ?? [])];
    if (t.kind === 'log') return Object.freeze(rows);
  } else if (t.kind === 'log') {
    const entries: [number, Row][] = [];
    for (const part of t.parts.values()) for (const e of part) entries.push(e as [number, Row]);
    entries.sort((a, b) => a[0] - b[0]);
    return Object.freeze(entries.map((e) => e[1]));
  } else {
    rows = [...t.index.values()];
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
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** Key columns in use for a table (undefined before its first partial). */
export function keysOf(state: TablesState, table: string): readonly string[] | undefined {
  return storeOf(state).tables.get(table)?.keys;
}

/** Tables that have received a partial. */
export function tablesOf(state: TablesState): readonly string[] {
  return Object.freeze([...storeOf(state).tables.keys()]);
}

/**
 * Forgets an image: removes the rows matching every field of `filter` (default `{}`: the whole
 * table) and the received partial filters it covers, so that later deltas for it are skipped
 * again until a new partial. Returns the next state (with no changes).
 */
export function clearImage(state: TablesState, table: string, filter: Readonly<Record<string, unknown>> = {}): TablesState {
  const store = storeOf(state);
  store.version++;
  store.layout++;
  const t = store.tables.get(table);
  if (t !== undefined) {
    removeMatching(t, filter, store.version);
    // A received filter is covered when it has every field of `filter` with the same value.
    const kept = t.filters.filter((f) => !matches(filter, f));
    if (kept.length === 0) {
      store.tables.delete(table);
      store.lastTable = undefined;
    }
    else t.setFilters(kept);
  }
  return new State(store, NONE, NONE, NONE);
}

/** Options of {@link bookOf} and {@link createBookView}. */
export interface BookReadOptions {
  /** Levels per side (default 25). */
  readonly depth?: number;
  /** Which book; default: the first of orderBookL2, orderBookL2_25, orderBook10 holding the symbol. */
  readonly table?: 'orderBookL2' | 'orderBookL2_25' | 'orderBook10';
}

/** The book of `symbol`: an L2 book, or the orderBook10 row; undefined when none. */
function findBook(store: Store, symbol: string, table: BookTable | undefined): L2Book | Row | undefined {
  if (table !== undefined) return findIn(store, symbol, table);
  return findIn(store, symbol, 'orderBookL2') ?? findIn(store, symbol, 'orderBookL2_25') ?? findIn(store, symbol, 'orderBook10');
}

function findIn(store: Store, symbol: string, name: BookTable): L2Book | Row | undefined {
  const t = store.tables.get(name);
  if (t === undefined) return undefined;
  if (t.kind === 'l2') return t.books.get(symbol);
  return t.parts.get(symbol)?.values().next().value as Row | undefined;
}

function snapshot10(symbol: string, row: Row, depth: number, prev: BookSnapshot | undefined): BookSnapshot {
  const ts = row.timestamp;
  return freezeSnapshot(
    symbol,
    typeof ts === 'string' ? ts : '',
    levelsOf10(row.bids, prev?.bids).slice(0, depth),
    levelsOf10(row.asks, prev?.asks).slice(0, depth),
  );
}

/** A frozen snapshot of the top `depth` levels of a book, O(depth); undefined before its partial. */
export function bookOf(state: TablesState, symbol: string, opts: BookReadOptions = {}): BookSnapshot | undefined {
  const found = findBook(storeOf(state), symbol, opts.table);
  if (found === undefined) return undefined;
  const depth = depthOf(opts.depth);
  return found instanceof L2Book ? found.snapshot(depth) : snapshot10(symbol, found, depth, undefined);
}

/** A stateful reader of one book, see {@link createBookView}. */
export interface BookView {
  /** A new snapshot when the top N changed since the last call, else undefined. */
  next(state: TablesState): BookSnapshot | undefined;
}

/**
 * Follows one book across states and yields a snapshot only when its top `depth` levels
 * changed, reusing unchanged frozen levels. Frames that touch only levels beyond the top are
 * recognised without walking the tree. Call it with every state (e.g. in `map` after `scan`).
 */
export function createBookView(symbol: string, opts: BookReadOptions = {}): BookView {
  const depth = depthOf(opts.depth);
  const core = new BookViewCore(depth);
  let lastRow: Row | undefined;
  let last10: BookSnapshot | undefined;
  // The L2 book found last, valid while its store's layout is unchanged.
  let book: L2Book | undefined;
  let bookStore: Store | undefined;
  let bookLayout = -1;
  return {
    next(state: TablesState): BookSnapshot | undefined {
      const store = storeOf(state);
      if (book !== undefined && store === bookStore && store.layout === bookLayout) return core.next(book);
      const found = findBook(store, symbol, opts.table);
      book = undefined;
      if (found === undefined) {
        core.reset();
        lastRow = undefined;
        last10 = undefined;
        return undefined;
      }
      if (found instanceof L2Book) {
        book = found;
        bookStore = store;
        bookLayout = store.layout;
        return core.next(found);
      }
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

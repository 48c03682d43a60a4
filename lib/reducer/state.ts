/**
 * The reducer's state: a persistent value. Each state holds what its frame did and the images of
 * every table, as persistent structures shared with the states before and after it: a frame
 * copies only the paths it changed, so every state stays whole and readable forever.
 * @module
 */
import type { L2Book } from '../book/l2-book';
import { mapForEach, mapGet, mapSet } from '../book/hash-map';
import type { HNode } from '../book/hash-map';
import type { TNode } from '../book/sorted-tree';
import type { Row, TableAction } from '../protocol/frames';
import type { FilterSet } from './filters';

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
  /** `update` or `delete`; `insert`/`partial` for a row that cannot be stored (an L2 row with no price or id, a key too deep). */
  readonly action: TableAction;
  readonly symbol?: string;
  /** {@link makeKey} of the row. */
  readonly key: string;
  /** The row as received. */
  readonly row: Row;
}

/**
 * A frame, or a row of one, that cannot be used (not a table frame, a row that is not an object,
 * an order-book row without a symbol): skipped, never thrown.
 */
export interface Unusable {
  /** The frame's table, when it names one. */
  readonly table?: string;
  /** Why, e.g. `row 3 of update is not an object`. */
  readonly reason: string;
  /** The frame (when the whole frame was unusable) or the row, as given. */
  readonly value: unknown;
  /**
   * For a row left out of its table's image: the action of its frame (a delta's row was data the
   * image now misses). Absent for a whole frame and for an `orderBook10` row kept in the image.
   */
  readonly dropped?: TableAction;
}

/** A reducer state: what the last frame did, plus read access to the images. A value: any state may be read or reduced, any number of times. */
export interface TablesState {
  /** What this frame did; one batch per symbol, in order of first appearance. */
  readonly changes: readonly Change[];
  /** Updates/deletes of this frame for unknown rows, and rows that cannot be stored (never thrown). */
  readonly inconsistencies: readonly Inconsistency[];
  /** Rows of this frame dropped because no partial covering them was received yet. */
  readonly skipped: readonly Change[];
  /** What of this frame could not be used at all and was skipped (the whole frame, or rows). */
  readonly unusable: readonly Unusable[];
}

/** Options as the reducer reads them. */
export interface Config {
  readonly tableKeys: ReadonlyMap<string, readonly string[]>;
  readonly maxTableLength: number;
  readonly now: (() => number) | undefined;
}

/** A keyed or log row with its arrival number. */
export interface Entry {
  readonly row: Row;
  readonly seq: number;
}

/** Rows of one symbol (or of rows without one) in arrival order: keys (keyed tables) or rows (logs) by arrival number. */
export class Part {
  constructor(
    public t: number,
    public order: TNode<string | Row>,
    public n: number,
  ) {}
}

/** The image of one table. Changed in place only by the edit (token `t`) that made it. */
export class Table {
  constructor(
    public t: number,
    readonly name: string,
    /** 'l2': price-sorted books; 'keyed': by key; 'log': insert-only. */
    public kind: 'l2' | 'keyed' | 'log',
    /** Key columns reported by keysOf. */
    public keys: readonly string[],
    /** Partial filters received. */
    public filters: FilterSet,
    /**
     * L2: books by symbol (exist only while covered by a filter). The entry of a state's hot
     * book is older than it or absent: read books with {@link bookIn} / {@link forEachBook}.
     */
    public books: HNode<L2Book>,
    /** keyed: every row by key (rows may omit `symbol` in sparse updates). */
    public index: HNode<Entry>,
    /** keyed/log: rows by symbol ({@link NO_SYMBOL} for rows without one). */
    public parts: HNode<Part>,
    /** Next arrival number. */
    public counter: number,
    /** order: newest `timestamp` seen (ms). */
    public newest: number,
  ) {}
}

/** Part key of rows without a string `symbol` (symbols are strings, so no symbol collides). */
export const NO_SYMBOL = 0;

/** `tb` itself when edit `t` made it, else a copy that edit may change. */
export function editTable(tb: Table, t: number): Table {
  if (tb.t === t) return tb;
  return new Table(t, tb.name, tb.kind, tb.keys, tb.filters, tb.books, tb.index, tb.parts, tb.counter, tb.newest);
}

const TABLES: unique symbol = Symbol('bitmex-rxjs.tables');
const CONFIG: unique symbol = Symbol('bitmex-rxjs.config');
const HOT: unique symbol = Symbol('bitmex-rxjs.hot');
const HOT_TABLE: unique symbol = Symbol('bitmex-rxjs.hotTable');
export const NONE: readonly never[] = Object.freeze([]);

/**
 * A state. Its images are its tables plus its *hot* book: the L2 book changed last, kept on the
 * state beside its table (whose map entry for that symbol is older, or absent), so that a stream
 * of frames for one book copies neither the table nor the tables array. The change list of a
 * frame that made one batch (nearly every L2 delta) is built when first read: book readers never
 * read it.
 */
export class State implements TablesState {
  /** @internal */
  readonly [TABLES]: readonly Table[];
  /** @internal */
  readonly [HOT]: L2Book | undefined;
  /** @internal The name of the hot book's table. */
  readonly [HOT_TABLE]: string | undefined;
  /** @internal */
  readonly [CONFIG]: Config;
  private changeList: readonly Change[] | undefined;
  private readonly batchAction: TableAction | undefined;
  private readonly batchRows: readonly Row[] | undefined;
  /**
   * `action` and `rows` make the change list of a one-batch L2 frame, built when first read: its
   * table and symbol are those of the hot book, which that frame's rows all went to.
   */
  constructor(
    images: Images,
    config: Config,
    list: readonly Change[] | undefined,
    readonly inconsistencies: readonly Inconsistency[],
    readonly skipped: readonly Change[],
    readonly unusable: readonly Unusable[],
    action?: TableAction,
    rows?: readonly Row[],
  ) {
    this[TABLES] = images.tables;
    this[HOT] = images.hot;
    this[HOT_TABLE] = images.hotTable;
    this[CONFIG] = config;
    this.changeList = list;
    this.batchAction = action;
    this.batchRows = rows;
  }

  /** See {@link TablesState.changes}; built on first read for a one-batch frame, then kept. */
  get changes(): readonly Change[] {
    let list = this.changeList;
    if (list === undefined) {
      const change: Change = {
        table: this[HOT_TABLE] as string,
        action: this.batchAction as TableAction,
        symbol: (this[HOT] as L2Book).symbol,
        rows: this.batchRows as Row[],
      };
      this.changeList = list = [change];
    }
    return list;
  }
}

/**
 * The images of a state, as the reducer builds the next one: the tables, and the hot book with
 * its table's name (see {@link State}). Mutable only while the reducer builds it.
 */
export class Images {
  constructor(
    public tables: readonly Table[],
    public hot: L2Book | undefined,
    public hotTable: string | undefined,
  ) {}
}

/** The images of a state made by {@link emptyTables}/reduceTables (a TypeError for anything else), in `into`. */
export function imagesIn(state: TablesState, into: Images): Images {
  const s = state as Partial<State>;
  const tables = s[TABLES];
  if (tables === undefined) throw new TypeError('not a state made by emptyTables()/reduceTables()');
  into.tables = tables;
  into.hot = s[HOT];
  into.hotTable = s[HOT_TABLE];
  return into;
}

/** A copy of the images of a state made by {@link emptyTables}/reduceTables (a TypeError for anything else). */
export function copyImages(state: TablesState): Images {
  return imagesIn(state, new Images(NONE, undefined, undefined));
}

/** The tables of a state made by {@link emptyTables}/reduceTables (a TypeError for anything else). Read L2 books with {@link bookIn}. */
export function tablesIn(state: TablesState): readonly Table[] {
  const tables = (state as Partial<State>)[TABLES];
  if (tables === undefined) throw new TypeError('not a state made by emptyTables()/reduceTables()');
  return tables;
}

/** The options of a state's reducer chain. */
export function configOf(state: TablesState): Config {
  return (state as State)[CONFIG];
}

/** The book of `symbol` in L2 table `tb` of images with hot book `hot` (of table `hotTable`), if any: the one place that reads the hot book. */
export function bookAt(tb: Table, symbol: string, hot: L2Book | undefined, hotTable: string | undefined): L2Book | undefined {
  return hot !== undefined && hot.symbol === symbol && hotTable === tb.name ? hot : mapGet(tb.books, symbol);
}

/** The book of `symbol` in L2 table `tb` of `state` (a table of {@link tablesIn}(state)), if any. */
export function bookIn(state: TablesState, tb: Table, symbol: string): L2Book | undefined {
  const s = state as State;
  return bookAt(tb, symbol, s[HOT], s[HOT_TABLE]);
}

/** Calls `fn` with every book of L2 table `tb` of `state`. */
export function forEachBook(state: TablesState, tb: Table, fn: (book: L2Book) => void): void {
  const s = state as State;
  const hot = s[HOT_TABLE] === tb.name ? s[HOT] : undefined;
  mapForEach(tb.books, (b) => {
    if (hot === undefined || b.symbol !== hot.symbol) fn(b);
  });
  if (hot !== undefined) fn(hot);
}

/**
 * Moves the hot book of images `im` into its table's map, leaving `im` without one: before
 * another book becomes hot, and before anything else reads or changes that table's books.
 */
export function settleHot(im: Images, t: number): void {
  const hot = im.hot;
  if (hot === undefined) return;
  const found = findTable(im.tables, im.hotTable as string) as Table;
  const tb = editTable(found, t);
  tb.books = mapSet(tb.books, hot.symbol, hot, t);
  if (tb !== found) im.tables = withTable(im.tables, tb);
  im.hot = undefined;
  im.hotTable = undefined;
}

/** The table called `name`, if any (a state holds a few tables: a scan beats a map). */
export function findTable(tables: readonly Table[], name: string): Table | undefined {
  for (let i = 0; i < tables.length; i++) if ((tables[i] as Table).name === name) return tables[i];
  return undefined;
}

/** `tables` with `tb` in place of the table of the same name (or added at the end). */
export function withTable(tables: readonly Table[], tb: Table): readonly Table[] {
  const out = tables.slice();
  for (let i = 0; i < out.length; i++) {
    if ((out[i] as Table).name === tb.name) {
      out[i] = tb;
      return out;
    }
  }
  out.push(tb);
  return out;
}

/** The initial state. */
export function emptyTables(options: ReducerOptions = {}): TablesState {
  const tableKeys = new Map<string, readonly string[]>();
  const given: unknown = options.tableKeys;
  if (typeof given === 'object' && given !== null) {
    for (const [table, keys] of Object.entries(given)) if (Array.isArray(keys) && keys.every((k) => typeof k === 'string')) tableKeys.set(table, keys);
  }
  const max = options.maxTableLength;
  const config: Config = {
    tableKeys,
    maxTableLength: typeof max === 'number' && max >= 0 ? max : 200,
    now: typeof options.now === 'function' ? options.now : undefined,
  };
  return new State(new Images(NONE, undefined, undefined), config, NONE, NONE, NONE, NONE);
}

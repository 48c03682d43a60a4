/**
 * A grouped book followed across reducer states: finds the symbol's book in each state, learns
 * the instrument's tick size and contract value from the state's `instrument` table (unless
 * given), and reads the book again only for states whose changes touched it.
 * @module
 */
import { snapshot10 } from '../book/book-view';
import { L2Book, type BookSnapshot } from '../book/l2-book';
import type { Row } from '../protocol/frames';
import { BOOK_TABLES, type BookTable } from '../protocol/tables';
import { partRows } from '../reducer/keyed-table';
import { rowsOf, type Change, type TablesState } from '../reducer/reducer';
import { bookIn, findTable, tablesIn } from '../reducer/state';
import { contractOf, notionalFn } from './contract';
import { CumulativeCore } from './cumulative';
import { GroupedBookCore, checkDepth, type DepthSnapshot } from './grouped-book';
import { ArrayLevelCursor, LevelChanges } from './level-cursor';
import { changedLevels, SideCursor } from './side-reader';

/** Options of a grouped book over states (`bookOf$` / `book$` with `group`). */
export interface GroupedStateOptions {
  readonly group: number;
  readonly depth?: number;
  readonly cumulative?: boolean;
  /** Default: the instrument's, from the state's `instrument` table when it holds the symbol. */
  readonly tickSize?: number;
  /** Default: from the instrument's `multiplier` and `isInverse` (see `notionalFn`). */
  readonly notional?: (price: number, size: number) => number;
  readonly table?: BookTable;
}

/** Levels read from an `orderBook10` snapshot: all of them. */
const BOOK10_DEPTH = 10;

/**
 * Follows one symbol's grouped book; `next(state)` gives a snapshot when a visible bucket
 * changed. For an L2 book it compares the book with the one it saw last by identity (states
 * share every subtree a frame left alone, see ./side-reader), adds the changed levels' size
 * differences to their buckets (see ./side-grouper), and never reads past the last visible
 * bucket.
 */
export class GroupedStateView {
  private core: GroupedBookCore;
  /** The instrument table and row last read (tables are persistent: same object, same rows). */
  private instrumentTable: unknown;
  private instrument: Row | undefined;
  private book: L2Book | undefined;
  private emitted: DepthSnapshot | undefined;
  private readonly bids = new SideCursor();
  private readonly asks = new SideCursor();
  private readonly bidChanges = new LevelChanges();
  private readonly askChanges = new LevelChanges();
  private readonly depth: number;

  /** @throws TypeError for a bad group (against `tickSize` when given) or depth. */
  constructor(
    private readonly symbol: string,
    private readonly options: GroupedStateOptions,
  ) {
    this.depth = checkDepth(options.depth);
    this.core = this.makeCore(undefined);
  }

  private makeCore(instrument: Row | undefined): GroupedBookCore {
    const o = this.options;
    const spec = contractOf(instrument);
    const tickSize = o.tickSize ?? spec.tickSize;
    const notional = o.notional ?? notionalFn(spec);
    return new GroupedBookCore({
      group: o.group,
      depth: this.depth,
      cumulative: o.cumulative === true,
      ...(tickSize !== undefined ? { tickSize } : {}),
      ...(notional !== undefined ? { notional } : {}),
    });
  }

  /**
   * The grouped book after `state`, or undefined when no visible bucket changed.
   * @throws TypeError when the instrument's tick size, once known, does not divide `group`.
   */
  next(state: TablesState): DepthSnapshot | undefined {
    const tables = tablesIn(state);
    let rebuild = false;
    const o = this.options;
    if (o.tickSize === undefined || (o.cumulative === true && o.notional === undefined)) rebuild = this.readInstrument(tables);
    const found = this.findBook(state, tables);
    if (found === undefined) {
      this.book = undefined;
      return undefined;
    }
    if (!(found instanceof L2Book)) return this.fromSnapshot(snapshot10(this.symbol, found, BOOK10_DEPTH, undefined));
    const prev = this.book;
    this.book = found;
    this.bids.reset(found.bids);
    this.asks.reset(found.asks);
    const core = this.core;
    if (prev === undefined || rebuild || core.snapshot === undefined) return this.emit(core.rebuild(found.symbol, found.timestamp, this.bids, this.asks));
    if (prev === found) return undefined;
    const bidChanges = this.bidChanges;
    const askChanges = this.askChanges;
    bidChanges.clear();
    askChanges.clear();
    changedLevels(prev.bids, found.bids, core.horizon(true), bidChanges);
    changedLevels(prev.asks, found.asks, core.horizon(false), askChanges);
    if (bidChanges.n === 0 && askChanges.n === 0) return undefined;
    return this.emit(core.apply(found.symbol, found.timestamp, this.bids, this.asks, bidChanges, askChanges));
  }

  private emit(snap: DepthSnapshot | undefined): DepthSnapshot | undefined {
    if (snap === undefined || snap === this.emitted) return undefined;
    return (this.emitted = snap);
  }

  /** Re-reads the instrument when its table changed; true when its contract changed. */
  private readInstrument(tables: ReturnType<typeof tablesIn>): boolean {
    const t = findTable(tables, 'instrument');
    if (t === this.instrumentTable) return false;
    this.instrumentTable = t;
    const row = t === undefined ? undefined : partRows(t, this.symbol)[0];
    if (row === this.instrument || sameContract(row, this.instrument)) {
      this.instrument = row;
      return false;
    }
    this.instrument = row;
    try {
      this.core = this.makeCore(row);
    } catch (e) {
      // The instrument's tick size does not divide the group: say whose.
      throw new TypeError(`${this.symbol}: ${(e as Error).message} (from the instrument table)`);
    }
    return true;
  }

  private findBook(state: TablesState, tables: ReturnType<typeof tablesIn>): L2Book | Row | undefined {
    const names: readonly BookTable[] = this.options.table === undefined ? BOOK_TABLES : [this.options.table];
    for (const name of names) {
      const t = findTable(tables, name);
      if (t === undefined) continue;
      const found = t.kind === 'l2' ? bookIn(state, t, this.symbol) : partRows(t, this.symbol)[0];
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** An `orderBook10` row: group its snapshot whole. */
  private fromSnapshot(snap: BookSnapshot): DepthSnapshot | undefined {
    this.book = undefined;
    const bids = new ArrayLevelCursor(snap.bids, true);
    const asks = new ArrayLevelCursor(snap.asks, false);
    return this.emit(this.core.rebuild(snap.symbol, snap.timestamp, bids, asks));
  }
}

/**
 * Running totals on an ungrouped book over states: snapshots from `snapshots` (a book view),
 * each level given `cumSize` and, when the instrument (or `notional`) says how, `cumNotional`.
 */
export class CumulativeStateView {
  private core: CumulativeCore;
  private instrument: Row | undefined;
  private started = false;
  private last: BookSnapshot | undefined;

  constructor(
    private readonly symbol: string,
    private readonly notional: ((price: number, size: number) => number) | undefined,
  ) {
    this.core = new CumulativeCore(notional);
  }

  /** `snap`: the book view's snapshot for `state` (undefined when its top did not change). */
  next(state: TablesState, snap: BookSnapshot | undefined): DepthSnapshot | undefined {
    if (this.notional === undefined) {
      let instrument = !this.started;
      this.started = true;
      if (!instrument) {
        const changes = state.changes;
        for (let i = 0; i < changes.length; i++) {
          const c = changes[i] as Change;
          if (c.table === 'instrument' && (c.symbol === undefined || c.symbol === this.symbol)) instrument = true;
        }
      }
      if (instrument) {
        const row = rowsOf(state, 'instrument', this.symbol)[0];
        if (row !== this.instrument && !sameContract(row, this.instrument)) {
          this.instrument = row;
          this.core = new CumulativeCore(notionalFn(contractOf(row)));
          snap ??= this.last;
        }
      }
    }
    if (snap === undefined) return undefined;
    this.last = snap;
    return this.core.next(snap);
  }
}

/** Whether two instrument rows agree on what grouping reads (tick size, multiplier, isInverse). */
function sameContract(a: Row | undefined, b: Row | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.tickSize === b.tickSize && a.multiplier === b.multiplier && a.isInverse === b.isInverse;
}

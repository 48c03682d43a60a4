/**
 * A grouped book followed across reducer states: finds the symbol's book in each state, learns
 * the instrument's tick size and contract value from the state's `instrument` table (unless
 * given), and reads the book again only for states whose changes touched it.
 * @module
 */
import type { BookSnapshot } from '../book/l2-book';
import type { Row } from '../protocol/frames';
import { BOOK_TABLES, type BookTable } from '../protocol/tables';
import { bookOf, rowsOf, type Change, type TablesState } from '../reducer/reducer';
import { contractOf, notionalFn } from './contract';
import { CumulativeCore } from './cumulative';
import { GroupedBookCore, checkDepth, type DepthSnapshot } from './grouped-book';
import { ArrayLevelCursor } from './level-cursor';

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

/** Levels read from the book for the first walk; grown as needed to fill `depth` buckets. */
const FIRST_READ = 128;

/** Follows one symbol's grouped book; `next(state)` gives a snapshot when a visible bucket changed. */
export class GroupedStateView {
  private core: GroupedBookCore;
  private instrument: Row | undefined;
  private started = false;
  /** Levels per side read from the book: enough to fill `depth` buckets last time. */
  private reach = FIRST_READ;
  private readonly bids = new ArrayLevelCursor([], true);
  private readonly asks = new ArrayLevelCursor([], false);
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
    let book = !this.started;
    let instrument = !this.started;
    this.started = true;
    if (!book) {
      const changes = state.changes;
      for (let i = 0; i < changes.length; i++) {
        const c = changes[i] as Change;
        if (c.symbol !== undefined && c.symbol !== this.symbol) continue;
        if (c.table === 'instrument') instrument = true;
        else if (this.isBookTable(c.table)) book = true;
      }
    }
    if (instrument && (this.options.tickSize === undefined || (this.options.cumulative === true && this.options.notional === undefined))) {
      const row = rowsOf(state, 'instrument', this.symbol)[0];
      if (row !== this.instrument && !sameContract(row, this.instrument)) {
        this.instrument = row;
        const prev = this.core.snapshot;
        try {
          this.core = this.makeCore(row);
        } catch (e) {
          // The instrument's tick size does not divide the group: say whose.
          throw new TypeError(`${this.symbol}: ${(e as Error).message} (from the instrument table)`);
        }
        if (prev !== undefined) book = true;
      }
    }
    return book ? this.read(state) : undefined;
  }

  private isBookTable(table: string): boolean {
    return this.options.table === undefined ? BOOK_TABLES.includes(table as BookTable) : table === this.options.table;
  }

  /** Reads the top of the book, deep enough to fill `depth` buckets per side. */
  private read(state: TablesState): DepthSnapshot | undefined {
    const table = this.options.table;
    let current: DepthSnapshot;
    for (;;) {
      const snap = bookOf(state, this.symbol, table === undefined ? { depth: this.reach } : { depth: this.reach, table });
      if (snap === undefined) return undefined;
      this.bids.reset(snap.bids);
      this.asks.reset(snap.asks);
      this.core.rebuild(snap.symbol, snap.timestamp, this.bids, this.asks);
      current = this.core.snapshot as DepthSnapshot;
      // A side cut at `reach` levels that shows fewer than `depth` buckets may have more: read deeper.
      const short = (levels: number, buckets: number): boolean => levels === this.reach && buckets < this.depth;
      if (!short(snap.bids.length, current.bids.length) && !short(snap.asks.length, current.asks.length)) break;
      this.reach *= 4;
    }
    if (current === this.emitted) return undefined;
    return (this.emitted = current);
  }

  private emitted: DepthSnapshot | undefined;
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

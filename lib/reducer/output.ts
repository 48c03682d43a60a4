/**
 * What one frame did, collected while it is applied: change and skipped batches per symbol and
 * inconsistencies, then turned into the next {@link State}.
 * @module
 */
import type { Row, TableAction } from '../protocol/frames';
import { makeKey } from './keys';
import { NONE, State } from './state';
import type { Change, Config, Images, Inconsistency, Unusable } from './state';

/** Why a row is unusable when its `symbol` is not a string (books and partials are per symbol). */
export const NO_STRING_SYMBOL = 'has no string symbol';

/** Why row `i` of a frame of `action` is left out, as reports say it. */
export function rowReason(i: number, action: string, why: string): string {
  return `row ${i} of ${action} ${why}`;
}

/** Mutable batch being filled. */
interface Batch {
  readonly symbol: string | undefined;
  readonly rows: Row[];
}

/** Groups rows per symbol, in order of first appearance. */
export class Batches {
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

/** The `symbol` of a row when it is a string. */
export function symbolOf(row: Row): string | undefined {
  const s = row.symbol;
  return typeof s === 'string' ? s : undefined;
}

/** Whether a value can be a row (a non-array object). */
export function isRow(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects what one frame did to one table. */
export class Output {
  readonly changes = new Batches();
  readonly skipped = new Batches();
  inconsistencies: Inconsistency[] | undefined;
  unusable: Unusable[] | undefined;
  constructor(
    readonly name: string,
    readonly action: TableAction,
  ) {}

  /** The next state, holding `images`. */
  state(images: Images, config: Config): State {
    const inc = this.inconsistencies;
    const bad = this.unusable;
    return new State(images, config, this.changes.done(this.name, this.action), inc === undefined ? NONE : inc, this.skipped.done(this.name, this.action), bad === undefined ? NONE : bad);
  }

  /**
   * Reports the `i`th value of the frame's `data`, which cannot be used as a row (`why`) and is
   * left out of the image (unless `kept`); freezes it if it is an object.
   */
  reject(i: number, value: unknown, why = 'is not an object', kept = false): void {
    if (typeof value === 'object' && value !== null) Object.freeze(value);
    const reason = rowReason(i, this.action, why);
    (this.unusable ??= []).push(Object.freeze(kept ? { table: this.name, reason, value } : { table: this.name, reason, value, dropped: this.action }));
  }

  /** Reports a row that finds no stored row (or cannot be stored); freezes it. */
  inconsistent(action: TableAction, r: Row, keys: readonly string[]): void {
    const row = Object.freeze(r);
    const symbol = symbolOf(row);
    const key = makeKey(this.name, row, keys);
    const inc: Inconsistency = symbol === undefined ? { table: this.name, action, key, row } : { table: this.name, action, symbol, key, row };
    (this.inconsistencies ??= []).push(Object.freeze(inc));
  }

  /** Reports a row no partial covers; freezes it. */
  skip(r: Row): void {
    const row = Object.freeze(r);
    this.skipped.add(symbolOf(row), row);
  }
}

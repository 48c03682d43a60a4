/**
 * Order books of `orderBookL2` / `orderBookL2_25` as persistent values, and their snapshots.
 *
 * An {@link L2Book} is two {@link Side}s (persistent B+trees by price, see ./book-side) plus the
 * book's time. Applying a row copies only the path it changed, so the book of every older state
 * stays whole and readable, and what a frame left alone is the same object in the next book:
 * a book view tells an untouched top by identity. A book is changed in place only by the edit
 * (one `reduceTables` call) that made it. What is handed out (rows, levels, snapshots) is frozen.
 * @module
 */
import type { Row } from '../protocol/frames';
import { allRows, buildSide, editSide, emptySide, findLevel, levelAt, placeLevel, removeLevel, replaceLevel, topRows } from './book-side';
import type { Side } from './book-side';

/** One level of a {@link BookSnapshot}. Frozen; a book view reuses it while its level is unchanged. */
export interface BookLevel {
  readonly price: number;
  readonly size: number;
  /** The L2 level id; undefined for `orderBook10`, which has none. */
  readonly id: number | undefined;
}

/**
 * The top of one book. Frozen. A book view's successive snapshots share the frozen array of a
 * side whose levels did not change, and every unchanged level object.
 */
export interface BookSnapshot {
  readonly symbol: string;
  /** Latest row timestamp applied to this book (ISO string; '' if rows carried none). */
  readonly timestamp: string;
  /** Best (highest) first. */
  readonly bids: readonly BookLevel[];
  /** Best (lowest) first. */
  readonly asks: readonly BookLevel[];
}

const NO_KEYS: readonly string[] = [];

/** Whether `row`'s own enumerable keys are exactly `keys`, in order (for-in over a parsed object is cheap). */
function hasKeys(row: Row, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in row) {
    if (k !== keys[i]) return false;
    i++;
  }
  return i === keys.length;
}

/** The book of one symbol of one L2 table. */
export class L2Book {
  constructor(
    /** Token of the edit that made this book (only it may change the fields). */
    public t: number,
    readonly symbol: string,
    public bids: Side,
    public asks: Side,
    /** Latest row timestamp applied. */
    public timestamp: string,
    /** Key list of the last row stored. */
    public lastKeys: readonly string[],
    /** Whether every stored row has the keys `lastKeys` (then a whole-row update needs no merge). */
    public uniform: boolean,
  ) {}

  /** Number of levels (both sides). */
  get size(): number {
    return this.bids.n + this.asks.n;
  }
}

/** An empty book. */
export function emptyBook(symbol: string): L2Book {
  return new L2Book(0, symbol, emptySide(-1), emptySide(1), '', NO_KEYS, true);
}

/** `b` itself when edit `t` made it, else a copy that edit may change. */
export function editBook(b: L2Book, t: number): L2Book {
  return b.t === t ? b : new L2Book(t, b.symbol, b.bids, b.asks, b.timestamp, b.lastKeys, b.uniform);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && v - v === 0;
}

/** A level's size is an absolute quantity: a finite number, not negative (else the row is unusable, not shown as 0). */
function isSize(v: unknown): v is number {
  return typeof v === 'number' && v >= 0 && v - v === 0;
}

/** Rows arrive in time order: the last one applied carries the book's time. */
function stamp(b: L2Book, ts: unknown): void {
  if (typeof ts === 'string') b.timestamp = ts;
}

/** Notes the keys of a row about to be stored. */
function noteKeys(b: L2Book, row: Row): void {
  if (hasKeys(row, b.lastKeys)) return;
  if (b.size > 0) b.uniform = false;
  b.lastKeys = Object.keys(row);
}

/**
 * The row stored by the last successful {@link insertLevel} / {@link updateLevel} / {@link deleteLevel},
 * and whether that insert replaced a level the book held (the server thought it gone: an image that
 * missed a delete).
 */
export const applied: { row: Row; held: boolean } = { row: {}, held: false };

/** The editable side of editable book `b` that `side` names, or undefined when neither Buy nor Sell. */
function sideFor(b: L2Book, side: unknown, t: number): Side | undefined {
  if (side === 'Buy') return b.bids.t === t ? b.bids : (b.bids = editSide(b.bids, t));
  if (side === 'Sell') return b.asks.t === t ? b.asks : (b.asks = editSide(b.asks, t));
  return undefined;
}

/**
 * Adds (or replaces) a level from a row, which it freezes. Returns the book edit `t` may change
 * holding it (`b` itself when `t` made it) and the row in {@link applied} (`held` when it replaced
 * a level of the same id and side); undefined (leaving the
 * row unfrozen and `b` as it was) when it cannot be placed: no side, id, finite price or size.
 */
export function insertLevel(b: L2Book, input: Row, t: number): L2Book | undefined {
  const id = input.id;
  const price = input.price;
  const side = input.side;
  if (!isFiniteNumber(id) || !isFiniteNumber(price) || !isSize(input.size) || (side !== 'Buy' && side !== 'Sell')) return undefined;
  const e = editBook(b, t);
  const row = Object.freeze(input);
  noteKeys(e, row);
  applied.held = placeLevel(sideFor(e, side, t) as Side, id, price, row, t);
  stamp(e, row.timestamp);
  applied.row = row;
  return e;
}

/**
 * Merges a sparse update into the stored level; returns the edited book (see
 * {@link insertLevel}) with the new frozen row in {@link applied}, or undefined when the level is
 * unknown or the patch unusable (a price that is not a finite number, a size that is not a
 * finite number ≥ 0). The level is found by the
 * price the patch carries, else by its id; a same-price update copies only its path.
 */
export function updateLevel(b: L2Book, patch: Row, t: number): L2Book | undefined {
  const id = patch.id;
  if (!isFiniteNumber(id)) return undefined;
  const given = patch.price;
  if (given !== undefined && !isFiniteNumber(given)) return undefined;
  const size = patch.size;
  if (size !== undefined && !isSize(size)) return undefined;
  const dir = patch.side === 'Buy' ? b.bids : patch.side === 'Sell' ? b.asks : undefined;
  if (dir === undefined) return undefined;
  const old = findLevel(dir, id, given);
  if (old === undefined) return undefined;
  const at = levelAt.price;
  // BitMEX now sends whole rows in updates, with the stored row's keys in the same order: then
  // the merge equals the patch, so keep the patch itself; else merge.
  let row: Row;
  const whole = b.uniform && hasKeys(patch, b.lastKeys);
  if (whole) row = Object.freeze(patch);
  else {
    const keys = b.uniform ? b.lastKeys : Object.keys(old);
    let complete = true;
    for (let k = 0; k < keys.length; k++) {
      if (!Object.prototype.hasOwnProperty.call(patch, keys[k] as string)) {
        complete = false;
        break;
      }
    }
    row = Object.freeze(complete ? patch : { ...old, ...patch });
  }
  const e = editBook(b, t);
  if (!whole) noteKeys(e, row);
  const s = sideFor(e, patch.side, t) as Side;
  const price = row.price as number;
  if (price !== at) placeLevel(s, id, price, row, t);
  else replaceLevel(s, row, t);
  stamp(e, row.timestamp);
  applied.row = row;
  return e;
}

/** Removes a level; returns the edited book with the stored row in {@link applied}, or undefined when unknown. */
export function deleteLevel(b: L2Book, key: Row, t: number): L2Book | undefined {
  const id = key.id;
  if (!isFiniteNumber(id)) return undefined;
  const dir = key.side === 'Buy' ? b.bids : key.side === 'Sell' ? b.asks : undefined;
  if (dir === undefined) return undefined;
  if (findLevel(dir, id, key.price) === undefined) return undefined;
  const e = editBook(b, t);
  applied.row = removeLevel(sideFor(e, key.side, t) as Side, id, levelAt.price, t);
  stamp(e, key.timestamp);
  return e;
}

/**
 * A book holding the given rows (a partial's, in order; a later row for the same side and id
 * replaces an earlier one). Calls `placed` with each row stored (frozen) and `unusable` with each
 * row that cannot be placed. O(n log n).
 */
export function buildBook(symbol: string, rows: readonly Row[], t: number, placed: (row: Row) => void, unusable: (row: Row) => void): L2Book {
  const bids = new Map<number, Row>();
  const asks = new Map<number, Row>();
  const b = emptyBook(symbol);
  b.t = t;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as Row;
    const id = r.id;
    const side = r.side === 'Buy' ? bids : r.side === 'Sell' ? asks : undefined;
    if (side === undefined || !isFiniteNumber(id) || !isFiniteNumber(r.price) || !isSize(r.size)) {
      unusable(r);
      continue;
    }
    const row = Object.freeze(r);
    side.delete(id); // a repeated id counts where it came last
    side.set(id, row);
    stamp(b, row.timestamp);
    placed(row);
  }
  const bidRows = [...bids.values()];
  const askRows = [...asks.values()];
  const all = bidRows.length > 0 ? bidRows : askRows;
  if (all.length > 0) {
    b.lastKeys = Object.keys(all[0] as Row);
    b.uniform = bidRows.every((r) => hasKeys(r, b.lastKeys)) && askRows.every((r) => hasKeys(r, b.lastKeys));
  }
  b.bids = buildSide(-1, bidRows, t);
  b.asks = buildSide(1, askRows, t);
  return b;
}

/** All rows: asks then bids, each from the highest price down (the order of BitMEX partials). */
export function bookRows(b: L2Book): Row[] {
  const out = allRows(b.asks).reverse();
  const bids = allRows(b.bids);
  for (let i = 0; i < bids.length; i++) out.push(bids[i] as Row);
  return out;
}

/** A frozen level for a stored row. */
export function levelOf(row: Row): BookLevel {
  const size = row.size;
  return Object.freeze({ price: row.price as number, size: typeof size === 'number' ? size : 0, id: row.id as number });
}

/** Freezes the level arrays and the snapshot. */
export function freezeSnapshot(symbol: string, timestamp: string, bids: readonly BookLevel[], asks: readonly BookLevel[]): BookSnapshot {
  return Object.freeze({ symbol, timestamp, bids: Object.freeze(bids), asks: Object.freeze(asks) });
}

/** A frozen snapshot of the top `depth` levels per side of any book, old or new. O(log n + depth). */
export function snapshotOf(b: L2Book, depth: number): BookSnapshot {
  return freezeSnapshot(b.symbol, b.timestamp, topRows(b.bids, depth).map(levelOf), topRows(b.asks, depth).map(levelOf));
}

/** Normalises a depth option (default 25). */
export function depthOf(depth: number | undefined): number {
  if (typeof depth !== 'number' || depth !== depth) return 25;
  return Math.max(0, Math.min(Math.floor(depth), 2 ** 31 - 1));
}

/**
 * One side of an order book as a persistent value: the rows in a {@link TNode} B+tree ordered by
 * `dir * price` (bids high → low, asks low → high: best first on both), ties by level id. A side
 * is changed only by the edit that made it ({@link editSide}); every older side stays as it was.
 *
 * The id → price index (for rows without a price, from before 2023, for levels that move, and
 * for inserts of an id stored at another price) is not part of the value: readers never need it,
 * only the next edit does. So it is one mutable hash table ({@link IdTable}) that belongs to the
 * newest side of a chain of edits and passes on to the next side as the chain grows
 * ({@link IdIndex}): an insert or delete costs a hash update instead of a second persistent tree.
 * An older side that is edited again (a branch) builds an index of its own from its tree, once
 * (O(n)), when it first needs one; no side ever reads an index that is not its own.
 * @module
 */
import type { Row } from '../protocol/frames';
import { IdTable } from './id-index';
import { build, collect, emptyTree, found, locate, remove, replaceLocated, set } from './sorted-tree';
import type { Tie, TNode } from './sorted-tree';

/** Level rows tie on their id. */
export const ROW_ID: Tie<Row> = (r) => r.id as number;

/** id → price of every level of the side that owns it; see the module comment. */
export class IdIndex {
  constructor(
    readonly map: IdTable,
    /** The side whose levels `map` holds: the only one that may read or change it. */
    public owner: Side,
  ) {}
}

/** One side of one book. */
export class Side {
  constructor(
    /** Token of the edit that made this side (only it may change the fields). */
    public t: number,
    /** -1 for bids, 1 for asks. */
    readonly dir: number,
    public tree: TNode<Row>,
    /** Number of levels. */
    public n: number,
    /** The id index, valid for this side only while it is `ix.owner` (an internal cache, not state). */
    public ix: IdIndex | undefined,
  ) {}
}

/** The id index of side `s`, built from its tree if `s` does not own one (O(n), once per branch). */
function indexOf(s: Side): IdTable {
  const ix = s.ix;
  if (ix !== undefined && ix.owner === s) return ix.map;
  const map = new IdTable(s.n);
  const rows = collect(s.tree, Infinity, []);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as Row;
    map.set(r.id as number, r.price as number);
  }
  s.ix = new IdIndex(map, s);
  return map;
}

/** An empty side. */
export function emptySide(dir: number): Side {
  return new Side(0, dir, emptyTree(), 0, undefined);
}

/**
 * `s` itself when edit `t` made it, else a copy that edit may change, which takes over the id
 * index when `s` owns it (`s` is then an older side: edited again, it builds its own).
 */
export function editSide(s: Side, t: number): Side {
  if (s.t === t) return s;
  const ix = s.ix;
  const e = new Side(t, s.dir, s.tree, s.n, ix);
  if (ix !== undefined && ix.owner === s) ix.owner = e;
  return e;
}

/** The price at which the last {@link findLevel} found its level. */
export const levelAt = { price: 0 };

/**
 * The stored row of level `id`, looked up at `price` first when it is a number (BitMEX sends the
 * price on every message since 2023), else through the id index; {@link levelAt} then holds its
 * price. No allocation: this is the hot path of an update.
 */
export function findLevel(s: Side, id: number, price: unknown): Row | undefined {
  if (typeof price === 'number') {
    const row = locate(s.tree, s.dir * price, id, ROW_ID);
    if (row !== undefined) {
      levelAt.price = price;
      return row;
    }
  }
  const p = indexOf(s).get(id);
  if (p === undefined) return undefined;
  levelAt.price = p;
  return locate(s.tree, s.dir * p, id, ROW_ID);
}

/** Stores `row` as level `id` at `price` on editable side `s`, replacing that level wherever it was. */
export function placeLevel(s: Side, id: number, price: number, row: Row, t: number): void {
  const ids = indexOf(s);
  const was = ids.get(id);
  if (was === undefined) s.n++;
  else if (was !== price) s.tree = remove(s.tree, s.dir * was, id, t, ROW_ID);
  if (was !== price) ids.set(id, price);
  s.tree = set(s.tree, s.dir * price, id, row, t, ROW_ID);
}

/**
 * Stores a new row for the level {@link findLevel} just found on this side (same price), on
 * editable side `s`: the path is copied, no search and no index change.
 */
export function replaceLevel(s: Side, row: Row, t: number): void {
  s.tree = replaceLocated(row, t);
}

/** Removes level `id`, known to be at `price`, from editable side `s`; returns its row. */
export function removeLevel(s: Side, id: number, price: number, t: number): Row {
  s.tree = remove(s.tree, s.dir * price, id, t, ROW_ID);
  const row = found.old as Row;
  indexOf(s).delete(id);
  s.n--;
  return row;
}

/** A side holding exactly `rows` (frozen, valid levels with distinct ids). O(n log n). */
export function buildSide(dir: number, rows: Row[], t: number): Side {
  rows.sort((a, b) => dir * ((a.price as number) - (b.price as number)) || (a.id as number) - (b.id as number));
  const keys = new Array<number>(rows.length);
  for (let i = 0; i < rows.length; i++) keys[i] = dir * ((rows[i] as Row).price as number);
  const side = new Side(t, dir, build(keys, rows, t, ROW_ID), rows.length, undefined);
  const map = new IdTable(rows.length);
  for (let i = 0; i < rows.length; i++) map.set((rows[i] as Row).id as number, (rows[i] as Row).price as number);
  side.ix = new IdIndex(map, side);
  return side;
}

/** The best `limit` rows of a side, best first. O(log n + limit). */
export function topRows(s: Side, limit: number, out: Row[] = []): Row[] {
  return collect(s.tree, limit, out);
}

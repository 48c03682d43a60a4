/**
 * One side of an order book as a persistent value: the rows ordered by `dir * price` (bids high →
 * low, asks low → high: best first on both), ties by level id. A side is changed only by the edit
 * that made it ({@link editSide}); every older side stays as it was.
 *
 * The best rows are a leaf of their own, the *head*, kept beside the {@link TNode} B+tree of the
 * rest: most traffic is at the top of a book, and an edit there copies that one leaf and no path.
 * The head takes 8 to 32 rows; it spills its worse half into the tree when it overflows and
 * takes the tree's first rows when it runs low. It is empty only when the side is.
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
import { build, collect, emptyTree, found, locate, remove, replaceLocated, set, TNode } from './sorted-tree';
import type { Tie } from './sorted-tree';

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
    /** The best rows (a leaf); every one of them comes before every row of `tree`. */
    public head: TNode<Row>,
    /** The other rows. */
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
  return ix !== undefined && ix.owner === s ? ix.map : indexRows(s, allRows(s));
}

/** Gives side `s` an id index of its own holding `rows` (all its rows), and returns it. O(n). */
function indexRows(s: Side, rows: readonly Row[]): IdTable {
  const map = new IdTable(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as Row;
    map.set(r.id as number, r.price as number);
  }
  s.ix = new IdIndex(map, s);
  return map;
}

/** An empty side. */
export function emptySide(dir: number): Side {
  return new Side(0, dir, emptyTree(), emptyTree(), 0, undefined);
}

/**
 * `s` itself when edit `t` made it, else a copy that edit may change, which takes over the id
 * index when `s` owns it (`s` is then an older side: edited again, it builds its own).
 */
export function editSide(s: Side, t: number): Side {
  if (s.t === t) return s;
  const ix = s.ix;
  const e = new Side(t, s.dir, s.head, s.tree, s.n, ix);
  if (ix !== undefined && ix.owner === s) ix.owner = e;
  return e;
}

/** Where the last {@link findLevel} found its level: its price, and whether in the head. */
export const levelAt = { price: 0, head: false };

/** The head refills below this many rows, up to {@link HEAD_FILL}. */
const HEAD_MIN = 8;
const HEAD_FILL = 16;

/** Whether (key, id) belongs in the head: up to its last entry, or anywhere when the tree is empty. */
function inHead(s: Side, key: number, id: number): boolean {
  const h = s.head;
  const last = h.k.length - 1;
  if (last < 0 || s.tree.k.length === 0) return true;
  const k = h.k[last] as number;
  return key < k || (key === k && id <= ROW_ID((h.v as Row[])[last] as Row));
}

/** {@link locate} in the head or the tree, as (key, id) belongs. */
function locateIn(s: Side, key: number, id: number): Row | undefined {
  const head = inHead(s, key, id);
  levelAt.head = head;
  return locate(head ? s.head : s.tree, key, id, ROW_ID);
}

/**
 * The stored row of level `id`, looked up at `price` first when it is a number (BitMEX sends the
 * price on every message since 2023), else through the id index; {@link levelAt} then holds its
 * price. No allocation: this is the hot path of an update.
 */
export function findLevel(s: Side, id: number, price: unknown): Row | undefined {
  if (typeof price === 'number') {
    const row = locateIn(s, s.dir * price, id);
    if (row !== undefined) {
      levelAt.price = price;
      return row;
    }
  }
  const p = indexOf(s).get(id);
  if (p === undefined) return undefined;
  levelAt.price = p;
  return locateIn(s, s.dir * p, id);
}

/** Puts a row at (key, id) on editable side `s`; a head that overflows gives its second half to the tree. */
function put(s: Side, key: number, id: number, row: Row, t: number): void {
  if (!inHead(s, key, id)) {
    s.tree = set(s.tree, key, id, row, t, ROW_ID);
    return;
  }
  const h = set(s.head, key, id, row, t, ROW_ID);
  if (h.c === null) {
    s.head = h;
    return;
  }
  s.head = h.c[0] as TNode<Row>;
  const spill = h.c[1] as TNode<Row>;
  const v = spill.v as Row[];
  for (let i = 0; i < v.length; i++) s.tree = set(s.tree, spill.k[i] as number, (v[i] as Row).id as number, v[i] as Row, t, ROW_ID);
}

/** Removes (key, id) from editable side `s`, refilling a head that runs low; returns the row removed. */
function drop(s: Side, key: number, id: number, t: number): Row {
  if (!inHead(s, key, id)) {
    s.tree = remove(s.tree, key, id, t, ROW_ID);
    return found.old as Row;
  }
  s.head = remove(s.head, key, id, t, ROW_ID);
  const row = found.old as Row;
  const h = s.head;
  if (h.k.length < HEAD_MIN && s.tree.k.length > 0) {
    const more = collect(s.tree, HEAD_FILL - h.k.length, []);
    const keys = h.k.slice();
    for (let i = 0; i < more.length; i++) {
      const r = more[i] as Row;
      const k = s.dir * (r.price as number);
      keys.push(k);
      s.tree = remove(s.tree, k, r.id as number, t, ROW_ID);
    }
    s.head = new TNode<Row>(t, t, keys, null, (h.v as Row[]).concat(more), null);
  }
  return row;
}

/**
 * Stores `row` as level `id` at `price` on editable side `s`, replacing that level wherever it
 * was; returns whether the side held level `id` before.
 */
export function placeLevel(s: Side, id: number, price: number, row: Row, t: number): boolean {
  const was = indexOf(s).set(id, price);
  if (was === undefined) s.n++;
  else if (was !== price) drop(s, s.dir * was, id, t);
  put(s, s.dir * price, id, row, t);
  return was !== undefined;
}

/**
 * Stores a new row for the level {@link findLevel} just found on this side (same price), on
 * editable side `s`: the path is copied (the head alone, for a level in it), no search and no
 * index change.
 */
export function replaceLevel(s: Side, row: Row, t: number): void {
  if (levelAt.head) s.head = replaceLocated(row, t);
  else s.tree = replaceLocated(row, t);
}

/** Removes level `id`, known to be at `price`, from editable side `s`; returns its row. */
export function removeLevel(s: Side, id: number, price: number, t: number): Row {
  indexOf(s).delete(id);
  s.n--;
  return drop(s, s.dir * price, id, t);
}

/** A side holding exactly `rows` (frozen, valid levels with distinct ids). O(n log n). */
export function buildSide(dir: number, rows: Row[], t: number): Side {
  rows.sort((a, b) => dir * ((a.price as number) - (b.price as number)) || (a.id as number) - (b.id as number));
  const keys = new Array<number>(rows.length);
  for (let i = 0; i < rows.length; i++) keys[i] = dir * ((rows[i] as Row).price as number);
  const h = Math.min(rows.length, HEAD_FILL);
  const head = new TNode<Row>(t, t, keys.slice(0, h), null, rows.slice(0, h), null);
  const side = new Side(t, dir, head, build(keys.slice(h), rows.slice(h), t, ROW_ID), rows.length, undefined);
  indexRows(side, rows);
  return side;
}

/** The best `limit` rows of a side, best first. O(log n + limit). */
export function topRows(s: Side, limit: number, out: Row[] = []): Row[] {
  collect(s.head, limit, out);
  return out.length < limit ? collect(s.tree, limit, out) : out;
}

/** Every row of a side, best first. O(n). */
export function allRows(s: Side): Row[] {
  return topRows(s, Infinity);
}

/** The best row of a side, if any. O(1). */
export function firstRow(s: Side): Row | undefined {
  return (s.head.v as Row[])[0];
}

/**
 * Writes the leaves (the head first) that hold the best `limit` rows into `out` from index 0,
 * and returns how many: no push and no `length` change (a slow call), so `out` can be reused.
 * O(log n + leaves).
 */
export function topLeaves(s: Side, limit: number, out: TNode<Row>[]): number {
  out[0] = s.head;
  seen = s.head.k.length;
  return seen < limit ? leavesInto(s.tree, limit, out, 1) : 1;
}

/** Rows in the leaves {@link leavesInto} wrote so far. */
let seen = 0;

function leavesInto(n: TNode<Row>, limit: number, out: TNode<Row>[], m: number): number {
  if (n.c === null) {
    out[m] = n;
    seen += n.k.length;
    return m + 1;
  }
  for (let i = 0; i < n.c.length && seen < limit; i++) m = leavesInto(n.c[i] as TNode<Row>, limit, out, m);
  return m;
}

/** Writes the best `limit` rows into `out` from index 0 and returns how many (see {@link topLeaves}). O(log n + limit). */
export function topRowsInto(s: Side, limit: number, out: Row[]): number {
  const m = rowsInto(s.head, limit, out, 0);
  return m < limit ? rowsInto(s.tree, limit, out, m) : m;
}

function rowsInto(n: TNode<Row>, limit: number, out: Row[], m: number): number {
  if (n.c === null) {
    const v = n.v as Row[];
    for (let i = 0; i < v.length && m < limit; i++) out[m++] = v[i] as Row;
    return m;
  }
  for (let i = 0; i < n.c.length && m < limit; i++) m = rowsInto(n.c[i] as TNode<Row>, limit, out, m);
  return m;
}

/**
 * One side of an order book as a persistent value: the rows in a {@link TNode} B+tree ordered by
 * `dir * price` (bids high → low, asks low → high: best first on both), ties by level id, plus a
 * persistent id → price index for rows that come without a price (recordings from before 2023)
 * or with a new one (a level that moved). A side is changed only by the edit that made it
 * ({@link editSide}); every older side stays as it was.
 * @module
 */
import type { Row } from '../protocol/frames';
import { build, collect, emptyTree, found, get, locate, remove, replaceLocated, set } from './sorted-tree';
import type { Tie, TNode } from './sorted-tree';

/** Level rows tie on their id. */
export const ROW_ID: Tie<Row> = (r) => r.id as number;

/** Ids are unique in the id index: no ties. */
const NO_TIE: Tie<number> = () => 0;

/** One side of one book. */
export class Side {
  constructor(
    /** Token of the edit that made this side (only it may change the fields). */
    public t: number,
    /** -1 for bids, 1 for asks. */
    readonly dir: number,
    public tree: TNode<Row>,
    /** id → price of every stored level (a tree keyed by id: its leaves hold unboxed doubles). */
    public ids: TNode<number>,
    /** Number of levels. */
    public n: number,
  ) {}
}

/** An empty side. */
export function emptySide(dir: number): Side {
  return new Side(0, dir, emptyTree(), emptyTree(), 0);
}

/** `s` itself when edit `t` made it, else a copy that edit may change. */
export function editSide(s: Side, t: number): Side {
  return s.t === t ? s : new Side(t, s.dir, s.tree, s.ids, s.n);
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
  const p = get(s.ids, id, 0, NO_TIE);
  if (p === undefined) return undefined;
  levelAt.price = p;
  return locate(s.tree, s.dir * p, id, ROW_ID);
}

/** Stores `row` as level `id` at `price` on editable side `s`, replacing that level wherever it was. */
export function placeLevel(s: Side, id: number, price: number, row: Row, t: number): void {
  s.ids = set(s.ids, id, 0, price, t, NO_TIE);
  if (found.hit) {
    const was = found.old as number;
    if (was !== price) s.tree = remove(s.tree, s.dir * was, id, t, ROW_ID);
  } else s.n++;
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
  s.ids = remove(s.ids, id, 0, t, NO_TIE);
  s.n--;
  return row;
}

/** A side holding exactly `rows` (frozen, valid levels with distinct ids). O(n log n). */
export function buildSide(dir: number, rows: Row[], t: number): Side {
  rows.sort((a, b) => dir * ((a.price as number) - (b.price as number)) || (a.id as number) - (b.id as number));
  const keys = new Array<number>(rows.length);
  for (let i = 0; i < rows.length; i++) keys[i] = dir * ((rows[i] as Row).price as number);
  const byId = rows.map((r) => r.id as number).sort((a, b) => a - b);
  const prices = new Map(rows.map((r) => [r.id as number, r.price as number]));
  const ids = build(byId, byId.map((id) => prices.get(id) as number), t, NO_TIE);
  return new Side(t, dir, build(keys, rows, t, ROW_ID), ids, rows.length);
}

/** The best `limit` rows of a side, best first. O(log n + limit). */
export function topRows(s: Side, limit: number, out: Row[] = []): Row[] {
  return collect(s.tree, limit, out);
}

/**
 * Change detection for book views: follows one book across states and yields a snapshot only
 * when its top N levels changed, by identity alone. States share every node a frame left alone,
 * so an unchanged side has the same head and tree (`===`, no read at all); a side whose first
 * leaves are the same objects and hold the whole top is unchanged too (O(log n)); otherwise the
 * top N rows are compared with the last ones by identity (O(N)). Unchanged level objects and arrays are reused.
 * No counters or flags are kept in the books: any state, in any order, gives the right answer.
 * @module
 */
import type { Row } from '../protocol/frames';
import { topLeaves, topRowsInto } from './book-side';
import type { Side } from './book-side';
import { freezeSnapshot, levelOf } from './l2-book';
import type { BookLevel, BookSnapshot, L2Book } from './l2-book';
import type { TNode } from './sorted-tree';

const NO_LEVELS: readonly BookLevel[] = Object.freeze([]);

/** The top of one side as last read. */
class SideTop {
  private head: TNode<Row> | undefined;
  private tree: TNode<Row> | undefined;
  /** The leaves that held the top (`nLeaves` of them), and a spare array to read the next ones into. */
  private leaves: TNode<Row>[] = [];
  private spareLeaves: TNode<Row>[] = [];
  private nLeaves = 0;
  /** The rows of the top (`nRows` of them). */
  private rows: Row[] = [];
  private nRows = 0;
  levels: readonly BookLevel[] = NO_LEVELS;
  /**
   * The same levels in an array of our own, unfrozen: reading a frozen array made by
   * `new Array(n)` is slow, so the levels are compared here and a frozen copy is handed out.
   */
  private mine: BookLevel[] = [];
  constructor(private readonly depth: number) {}

  /** The top levels of `side`: the last array itself when unchanged. No allocation then. */
  read(side: Side): readonly BookLevel[] {
    const head = side.head;
    const tree = side.tree;
    if (head === this.head) {
      if (tree === this.tree || this.sameLeaves(side)) return this.levels;
    } else {
      // A new head is a new first leaf: the leaves are not worth reading, the rows are compared.
      this.head = head;
      this.tree = tree;
      this.nLeaves = -1;
    }
    // A fresh array, not one kept for reuse: rows are mostly young objects, and every store of
    // one into a long-lived array goes through the write barrier's slow path (~10 ns each).
    const rows = new Array<Row>(Math.min(this.depth, side.n));
    const n = topRowsInto(side, this.depth, rows);
    const prev = this.rows;
    const pn = this.nRows;
    // The rows the same up to `p`: their levels are the same (most frames change one level).
    const m = n < pn ? n : pn;
    let p = 0;
    while (p < m && rows[p] === prev[p]) p++;
    // Read here, on the path every changed side takes, and returned below from here: a return of
    // `this.levels` of its own on the rare no-change exits had no type feedback when read was
    // first compiled, and its first use (~16,000 frames in) threw read's compiled code away.
    const shown = this.levels;
    if (p === n && n === pn) return shown;
    this.rows = rows;
    this.nRows = n;
    const levels = this.mine;
    const out = new Array<BookLevel>(n);
    for (let j = 0; j < p; j++) out[j] = levels[j] as BookLevel;
    const ln = levels.length;
    let unchanged = n === ln;
    // The last levels pair with the rows they were made from (`prev`, index for index). A
    // cursor walks them beside the new rows, so a level inserted or removed above others does
    // not make new objects of those it shifts: a row that is the same object keeps its level;
    // any other is placed by (dir * price, id), the side's order, past levels that are gone.
    let i = p;
    for (let j = p; j < n; j++) {
      const r = rows[j] as Row;
      if (i < pn && r === prev[i]) {
        out[j] = levels[i] as BookLevel;
        if (i++ !== j) unchanged = false;
        continue;
      }
      const price = r.price as number;
      const id = r.id as number;
      const key = side.dir * price;
      let l = i < ln ? levels[i] : undefined;
      while (l !== undefined && (side.dir * l.price < key || (l.price === price && (l.id as number) < id))) l = ++i < ln ? levels[i] : undefined;
      if (l !== undefined && l.price === price && l.id === id) {
        i++;
        // A row with another time but the same price, size and id keeps its level.
        out[j] = l.size === r.size ? l : levelOf(r);
      } else {
        out[j] = levelOf(r);
      }
      if (unchanged && out[j] !== levels[j]) unchanged = false;
    }
    if (unchanged) return shown;
    this.mine = out;
    return (this.levels = Object.freeze(out.slice()));
  }

  /**
   * Only the tree changed (the head is the same): the top is unchanged when the head holds all
   * of it, or when the same leaves hold it (states share what a frame left alone). Arrays are
   * reused with counts beside them: setting `length` is a slow call on this path. Apart from
   * {@link read} as a rare path: compiled when first needed instead of throwing read's
   * compiled code away.
   */
  private sameLeaves(side: Side): boolean {
    this.tree = side.tree;
    const depth = this.depth;
    if (side.head.k.length >= depth) return true;
    const leaves = this.spareLeaves;
    const nl = topLeaves(side, depth, leaves);
    const prevLeaves = this.leaves;
    const same = sameItems(leaves, nl, prevLeaves, this.nLeaves);
    this.spareLeaves = prevLeaves;
    this.leaves = leaves;
    this.nLeaves = nl;
    return same;
  }

  reset(): void {
    this.head = undefined;
    this.tree = undefined;
    this.leaves = [];
    this.nLeaves = 0;
    this.rows = [];
    this.nRows = 0;
    this.levels = NO_LEVELS;
    this.mine = [];
  }
}

/** Whether the first `n` items of `a` are the first `m` items of `b`. */
function sameItems<T>(a: readonly T[], n: number, b: readonly T[], m: number): boolean {
  if (n !== m) return false;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
/** The change detector behind `createBookView` for an L2 book. @internal */
export class BookViewCore {
  private readonly bids: SideTop;
  private readonly asks: SideTop;
  private last: BookSnapshot | undefined;
  constructor(depth: number) {
    this.bids = new SideTop(depth);
    this.asks = new SideTop(depth);
  }

  /** Forgets everything (the book went away). */
  reset(): void {
    this.bids.reset();
    this.asks.reset();
    this.last = undefined;
  }

  /** A new snapshot when the top changed since the last call (or on the first call), else undefined. */
  next(book: L2Book): BookSnapshot | undefined {
    const last = this.last;
    const bids = this.bids.read(book.bids);
    const asks = this.asks.read(book.asks);
    if (last !== undefined && bids === last.bids && asks === last.asks && last.symbol === book.symbol) return undefined;
    // Both arrays are frozen already (read freezes what it makes): only the snapshot is left.
    return (this.last = Object.freeze<BookSnapshot>({ symbol: book.symbol, timestamp: book.timestamp, bids, asks }));
  }
}

/**
 * Converts `[[price, size], ...]` to levels, reusing `prev` levels with the same price and size.
 * A pair that is not a finite price and a finite size ≥ 0 is left out (never a NaN or negative level).
 * Best first (`dir` -1 for bids, 1 for asks), whatever order the feed gave.
 */
export function levelsOf10(pairs: unknown, prev: readonly BookLevel[] | undefined, dir: number): BookLevel[] {
  const out: BookLevel[] = [];
  if (!Array.isArray(pairs)) return out;
  for (let i = 0; i < pairs.length; i++) {
    const p: unknown = pairs[i];
    if (!Array.isArray(p)) continue;
    const price: unknown = p[0];
    const size: unknown = p[1];
    if (typeof price !== 'number' || price - price !== 0 || typeof size !== 'number' || !(size >= 0) || size - size !== 0) continue;
    const old = prev?.[out.length];
    out.push(old !== undefined && old.price === price && old.size === size ? old : Object.freeze({ price, size, id: undefined }));
  }
  // BitMEX sends pairs best first; a feed that does not must not give a book in the wrong order.
  for (let i = 1; i < out.length; i++) if (dir * ((out[i] as BookLevel).price - (out[i - 1] as BookLevel).price) < 0) return out.sort((a, b) => dir * (a.price - b.price));
  return out;
}

/** A snapshot of an `orderBook10` row. */
export function snapshot10(symbol: string, row: Row, depth: number, prev: BookSnapshot | undefined): BookSnapshot {
  const ts = row.timestamp;
  return freezeSnapshot(
    symbol,
    typeof ts === 'string' ? ts : '',
    levelsOf10(row.bids, prev?.bids, -1).slice(0, depth),
    levelsOf10(row.asks, prev?.asks, 1).slice(0, depth),
  );
}

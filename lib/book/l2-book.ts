/**
 * Price-sorted order books for `orderBookL2` / `orderBookL2_25`, and their frozen snapshots.
 *
 * One {@link L2Book} per table and symbol; per side ({@link BookSide}) the levels stored by
 * column (price, id and size in typed arrays; row, key list and snapshot level in plain arrays),
 * a {@link SortedMap} of level numbers sorted by price (ids are arbitrary since 2023) and an
 * id → level index. An update that keeps the price only swaps the stored row: no tree operation
 * and no string key. A deleted level that was alone at its price stays in the tree, empty and
 * hidden, and the next level at that price takes it over: levels come and go at the same prices
 * near the top of a book, so most inserts and deletes need no tree operation either. What is
 * emitted (rows, levels, snapshots) is frozen and never touched again.
 * @module
 */
import type { Row } from '../protocol/frames';
import { IdIndex } from './id-index';
import { SortedMap } from './sorted-map';

/** One level of a {@link BookSnapshot}. Frozen; reused between snapshots while its size is unchanged. */
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

/**
 * Whether `row`'s own keys are exactly `keys`, in order. For-in over a fresh parsed object plus
 * identity compares of interned key strings: far cheaper than `k in row` per key.
 */
function hasKeys(row: Row, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in row) {
    if (k !== keys[i]) return false;
    i++;
  }
  return i === keys.length;
}

const NO_KEYS: readonly string[] = [];

/**
 * One side of a book, stored by column: level `i` (a small integer, reused after a delete) has
 * its price, id and size in typed arrays and its frozen row, key list and cached
 * {@link BookLevel} in plain arrays. The tree (bids high → low, asks low → high, so both are
 * walked with `begin()`/`next()`) holds level numbers and compares them through the price
 * column: a comparison reads two numbers from one dense array instead of two objects scattered
 * over the heap, and a tree node's key is a small integer, not a pointer.
 * @internal
 */
export class BookSide {
  price: Float64Array = new Float64Array(64);
  id: Float64Array = new Float64Array(64);
  size: Float64Array = new Float64Array(64);
  readonly rows: (Row | undefined)[] = [];
  readonly keys: (readonly string[])[] = [];
  readonly levels: (BookLevel | undefined)[] = [];
  /** Level numbers free for reuse. */
  private readonly free: number[] = [];
  private used = 0;
  readonly tree: SortedMap<number>;
  /** id → level number. */
  readonly ids = new IdIndex();
  /**
   * price → the level number of the only level in the tree at that price, live or kept empty
   * (see {@link BookSide.place}). Prices held by several levels at once are in `shared` instead.
   */
  private readonly prices = new IdIndex();
  private readonly shared = new Set<number>();
  /** -1 for bids, 1 for asks: `dir * price` is lower for a better price on both sides. */
  private readonly dir: number;
  /**
   * `dir * price` of the best price the book's current frame touched (Infinity: none), for
   * {@link BookViewCore}: every method that changes a level notes its prices here; the book
   * resets it per frame.
   */
  touched = Infinity;
  constructor(isBid: boolean) {
    // One comparator literal for both sides (the direction is captured): js-sdsl calls it from
    // shared code, and closures of one literal keep that call site monomorphic, so V8 inlines
    // it (two literals cost ~2% more instructions per row and more cache misses).
    const dir = (this.dir = isBid ? -1 : 1);
    this.tree = new SortedMap<number>(
      (a, b) => dir * ((this.price[a] as number) - (this.price[b] as number)) || (this.id[a] as number) - (this.id[b] as number),
      (i) => this.rows[i] !== undefined,
    );
  }

  /**
   * Stores a new level (its id must not be stored yet) and returns its level number. Levels
   * come and go at the same prices near the top of a book: a deleted level that was alone at
   * its price stays in the tree, empty and hidden ({@link BookSide.remove}), and a new level at
   * that price takes it over with no tree operation. Its id may change in place because no
   * other entry shares its price, so its position is unchanged.
   */
  place(price: number, id: number, row: Row, size: number): number {
    let i = this.prices.get(price);
    if (i !== undefined && this.rows[i] === undefined) {
      this.id[i] = id;
      this.tree.show(i);
    } else {
      const t = i;
      i = this.alloc(price, id);
      this.tree.add(i);
      this.atPrice(price, i, t);
    }
    this.size[i] = size;
    this.rows[i] = row;
    this.ids.set(id, i);
    this.touch(price);
    return i;
  }

  /** Stores a new row and size for live level `i`, at its price. */
  set(i: number, row: Row, size: number): void {
    this.size[i] = size;
    this.rows[i] = row;
    this.touch(this.price[i] as number);
  }

  /** Notes that the current frame touched `price` (the same code for both sides: no branch). */
  private touch(price: number): void {
    const k = this.dir * price;
    if (k < this.touched) this.touched = k;
  }

  /** Records that level `i` entered the tree at `price`, where level `t` (if any) already is. */
  private atPrice(price: number, i: number, t: number | undefined): void {
    if (t !== undefined) {
      this.prices.delete(price);
      this.shared.add(price);
    } else if (!this.shared.has(price)) this.prices.set(price, i);
  }

  /** Removes live level `i` (kept empty in the tree when alone at its price). */
  remove(i: number): void {
    this.ids.delete(this.id[i] as number);
    const price = this.price[i] as number;
    this.touch(price);
    if (this.prices.get(price) !== i) {
      this.tree.delete(i);
      this.release(i);
      return;
    }
    this.tree.hide(i);
    this.rows[i] = undefined;
    this.levels[i] = undefined;
    // Empty levels deep in the book may never be taken over: drop them all now and then
    // (amortised O(log n) per delete).
    const tree = this.tree;
    if (tree.hiddenCount > 32 + (tree.size >> 1)) {
      for (const e of tree.purge()) this.forget(e);
    }
  }

  /** Releases empty level `e`, already out of the tree, and its price entry. */
  private forget(e: number): void {
    const price = this.price[e] as number;
    if (this.prices.get(price) === e) this.prices.delete(price);
    this.release(e);
  }

  /** Moves live level `i` to another price. */
  move(i: number, price: number): void {
    const old = this.price[i] as number;
    this.touch(old);
    this.tree.delete(i);
    if (this.prices.get(old) === i) this.prices.delete(old);
    this.price[i] = price;
    this.levels[i] = undefined;
    let t = this.prices.get(price);
    if (t !== undefined && this.rows[t] === undefined) {
      // An empty level holds that price: drop it.
      this.tree.delete(t);
      this.forget(t);
      t = undefined;
    }
    this.tree.add(i);
    this.atPrice(price, i, t);
  }

  /** A fresh level number with the given price and id (not yet in the tree or the index). */
  private alloc(price: number, id: number): number {
    let i = this.free.pop();
    if (i === undefined) {
      i = this.used++;
      if (i === this.price.length) {
        this.price = grow(this.price);
        this.id = grow(this.id);
        this.size = grow(this.size);
      }
    }
    this.price[i] = price;
    this.id[i] = id;
    return i;
  }

  /** Returns a level number for reuse, dropping its row and cached level. */
  private release(i: number): void {
    this.rows[i] = undefined;
    this.levels[i] = undefined;
    this.free.push(i);
  }

  /** The row of the best level, if any. */
  firstRow(): Row | undefined {
    const i = this.tree.first();
    return i === undefined ? undefined : this.rows[i];
  }

  /** Removes every level. */
  clear(): void {
    this.tree.clear();
    this.ids.clear();
    this.prices.clear();
    this.shared.clear();
    this.rows.length = 0;
    this.keys.length = 0;
    this.levels.length = 0;
    this.free.length = 0;
    this.used = 0;
  }

  /**
   * The frozen {@link BookLevel} of level `i`, made once per price and size. A size change is
   * caught here rather than by clearing the cache on every update (the hot path), which would
   * write to one more array per row.
   */
  levelOf(i: number): BookLevel {
    const l = this.levels[i];
    const size = this.size[i] as number;
    if (l !== undefined && l.size === size) return l;
    return (this.levels[i] = Object.freeze({ price: this.price[i] as number, size, id: this.id[i] as number }));
  }
}

function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Internal, mutable book of one symbol of one L2 table. Besides the levels it records, for the
 * cheap skip test of {@link BookViewCore}, a sequence number bumped once per frame that touched
 * the book, the sequence of the last partial, and the most aggressive bid and ask prices the
 * last touching frame changed.
 * @internal
 */
export class L2Book {
  readonly bids = new BookSide(true);
  readonly asks = new BookSide(false);
  timestamp = '';
  /** Frames that touched this book. */
  seq = 0;
  /** `seq` of the frame that last (re)built the book from a partial. */
  resetSeq = 0;
  /** Highest bid price touched by frame `seq`; -Infinity when none. */
  get touchedBid(): number {
    return -this.bids.touched;
  }
  /** Lowest ask price touched by frame `seq`; Infinity when none. */
  get touchedAsk(): number {
    return this.asks.touched;
  }
  /** Reducer frame number that last touched the book. */
  frame = -1;
  /** Key list of the last row stored, shared by rows with the same keys. */
  private lastKeys: readonly string[] = NO_KEYS;
  /**
   * Whether every stored level's key list is `lastKeys` (BitMEX rows all have the same keys):
   * then an update need not read its level's list.
   */
  private uniform = true;
  /** Latest `transactTime` string stored, see {@link L2Book.adopt}. */
  private transactTime = '';
  constructor(readonly symbol: string) {}

  /** Number of levels (both sides). */
  get size(): number {
    return this.bids.ids.size + this.asks.ids.size;
  }

  /** Starts the book over (partial). */
  clear(frame: number): void {
    this.bids.clear();
    this.asks.clear();
    this.timestamp = '';
    this.transactTime = '';
    this.uniform = true;
    this.begin(frame);
    this.resetSeq = this.seq;
  }

  /** Notes that reducer frame `frame` touches this book. */
  begin(frame: number): void {
    if (this.frame !== frame) {
      this.frame = frame;
      this.seq++;
      this.bids.touched = Infinity;
      this.asks.touched = Infinity;
    }
  }

  /** Rows arrive in time order: the last one applied carries the book's time. */
  private stamp(ts: unknown): void {
    if (typeof ts === 'string') this.timestamp = ts;
  }

  /**
   * Freezes a row to be stored, first pointing its `timestamp` and `transactTime` at equal
   * strings already stored. Rows of a frame, and often of consecutive frames, carry the same
   * times: sharing the strings leaves a retained row no string of its own, and those strings
   * are ~40% of its bytes, which the GC would copy twice on their way to the old generation.
   */
  private adopt(row: Row): Row {
    const w = row as Record<string, unknown>;
    const last = this.timestamp;
    let ts = w.timestamp;
    if (ts === last) w.timestamp = ts = last;
    const tt = w.transactTime;
    if (typeof tt === 'string') {
      if (tt === ts) w.transactTime = ts;
      else if (tt === this.transactTime) w.transactTime = this.transactTime;
      else this.transactTime = tt;
    }
    this.stamp(ts);
    return Object.freeze(row);
  }

  /** The key list of `row`, reusing the shared one when equal. */
  private keysFor(row: Row): readonly string[] {
    if (hasKeys(row, this.lastKeys)) return this.lastKeys;
    if (this.size > 0) this.uniform = false;
    return (this.lastKeys = Object.keys(row));
  }

  /** The side a row belongs to, or undefined when `side` is neither Buy nor Sell. */
  sideOf(row: Row): BookSide | undefined {
    const s = row.side;
    return s === 'Buy' ? this.bids : s === 'Sell' ? this.asks : undefined;
  }

  /**
   * Adds (or replaces) a level from a row, which it freezes and adopts. Returns the frozen row,
   * or undefined (leaving the row as it is) when it cannot be placed: no side, id or finite
   * price.
   */
  insert(input: Row): Row | undefined {
    const side = this.sideOf(input);
    const id = input.id;
    const price = input.price;
    if (side === undefined || typeof id !== 'number' || typeof price !== 'number' || !Number.isFinite(price)) return undefined;
    const row = this.adopt(input);
    const old = side.ids.get(id);
    if (old !== undefined) side.remove(old);
    // Before placing it: keysFor tells a first row from one whose keys differ from stored rows'.
    const keys = this.keysFor(row);
    side.keys[side.place(price, id, row, sizeOf(row))] = keys;
    return row;
  }

  /**
   * Merges a sparse update into the stored level; returns the new frozen row, or undefined when
   * the level is unknown. Same price: no tree operation.
   */
  update(patch: Row): Row | undefined {
    const side = this.sideOf(patch);
    if (side === undefined) return undefined;
    const i = side.ids.get(patch.id as number);
    if (i === undefined) return undefined;
    // BitMEX now sends whole rows in updates, with the keys of the stored row in the same order:
    // then the merge equals the patch, so adopt it (no allocation, no key list); else merge.
    const keys = this.uniform ? this.lastKeys : (side.keys[i] as readonly string[]);
    let row: Row;
    if (hasKeys(patch, keys)) row = this.adopt(patch);
    else {
      let complete = true;
      for (let k = 0; k < keys.length; k++) {
        if (!((keys[k] as string) in patch)) {
          complete = false;
          break;
        }
      }
      row = this.adopt(complete ? patch : { ...(side.rows[i] as Row), ...patch });
      side.keys[i] = this.keysFor(row);
    }
    const price = row.price;
    if (typeof price === 'number' && price !== side.price[i] && Number.isFinite(price)) side.move(i, price);
    side.set(i, row, sizeOf(row));
    return row;
  }

  /** Removes a level; returns the stored row, or undefined when the level is unknown. */
  delete(key: Row): Row | undefined {
    const side = this.sideOf(key);
    if (side === undefined) return undefined;
    const id = key.id as number;
    const i = side.ids.get(id);
    if (i === undefined) return undefined;
    const row = side.rows[i] as Row;
    this.stamp(key.timestamp);
    side.remove(i);
    return row;
  }

  /** All rows: asks then bids, each from the highest price down (the order of BitMEX partials). */
  rows(): Row[] {
    const asks = this.asks.tree.toArray();
    const bids = this.bids.tree.toArray();
    const out = new Array<Row>(asks.length + bids.length);
    for (let i = 0; i < asks.length; i++) out[asks.length - 1 - i] = this.asks.rows[asks[i] as number] as Row;
    for (let i = 0; i < bids.length; i++) out[asks.length + i] = this.bids.rows[bids[i] as number] as Row;
    return out;
  }

  /** A frozen snapshot of the top `depth` levels per side, O(depth). */
  snapshot(depth: number): BookSnapshot {
    return freezeSnapshot(this.symbol, this.timestamp, topLevels(this.bids, depth, undefined), topLevels(this.asks, depth, undefined));
  }
}

function sizeOf(row: Row): number {
  const size = row.size;
  return typeof size === 'number' ? size : 0;
}

/** Freezes the level arrays and the snapshot. */
export function freezeSnapshot(symbol: string, timestamp: string, bids: readonly BookLevel[], asks: readonly BookLevel[]): BookSnapshot {
  return Object.freeze({ symbol, timestamp, bids: Object.freeze(bids), asks: Object.freeze(asks) });
}

/** Normalises a depth option (default 25). */
export function depthOf(depth: number | undefined): number {
  return depth === undefined ? 25 : Math.max(0, Math.floor(depth));
}

/**
 * The top `depth` levels of a side as a frozen array: `prev` itself when they are the same
 * level objects (nothing to allocate or freeze), else a new array.
 */
function topLevels(side: BookSide, depth: number, prev: readonly BookLevel[] | undefined): readonly BookLevel[] {
  const head = side.tree.head(depth);
  const n = Math.min(depth, head.length);
  let i = 0;
  if (prev !== undefined && prev.length === n) {
    while (i < n) {
      if (side.levelOf(head[i] as number) !== prev[i]) break;
      i++;
    }
    if (i === n) return prev;
  }
  const out = new Array<BookLevel>(n);
  for (let j = 0; j < i; j++) out[j] = (prev as readonly BookLevel[])[j] as BookLevel;
  for (; i < n; i++) out[i] = side.levelOf(head[i] as number);
  return Object.freeze(out);
}

/** The price of the `depth`-th level, or `none` when the side has fewer (any touch may enter the top). */
function nthPrice(levels: readonly BookLevel[], depth: number, none: number): number {
  return levels.length < depth ? none : (levels[depth - 1] as BookLevel).price;
}

/**
 * The change detector behind `createBookView` for an L2 book: remembers the book, its sequence
 * number and the Nth price of each side of the last snapshot, and skips frames whose touched
 * prices all lie strictly beyond those without reading the top, per side: a side the frame did
 * not touch within its top is not read at all. Otherwise it reads the top from the side's cached
 * head and emits only when some level differs by identity, reusing the previous frozen array of
 * an unchanged side.
 * @internal
 */
export class BookViewCore {
  private book: L2Book | undefined;
  private seq = -1;
  private nthBid = -Infinity;
  private nthAsk = Infinity;
  private last: BookSnapshot | undefined;
  constructor(private readonly depth: number) {}

  /** Forgets everything (the book went away). */
  reset(): void {
    this.book = undefined;
    this.seq = -1;
    this.last = undefined;
  }

  /** A new snapshot when the top `depth` changed since the last call, else undefined. */
  next(book: L2Book): BookSnapshot | undefined {
    const last = this.last;
    // Per side: whether the frame since the last call touched only prices beyond its Nth.
    let bidsSame = false;
    let asksSame = false;
    if (book === this.book && last !== undefined) {
      if (book.seq === this.seq) return undefined;
      if (book.seq === this.seq + 1 && book.resetSeq !== book.seq) {
        bidsSame = book.touchedBid === -Infinity || book.touchedBid < this.nthBid;
        asksSame = book.touchedAsk === Infinity || book.touchedAsk > this.nthAsk;
        if (bidsSame && asksSame) {
          this.seq = book.seq;
          return undefined;
        }
      }
    }
    const depth = this.depth;
    const bids = bidsSame ? (last as BookSnapshot).bids : topLevels(book.bids, depth, last?.bids);
    const asks = asksSame ? (last as BookSnapshot).asks : topLevels(book.asks, depth, last?.asks);
    this.book = book;
    this.seq = book.seq;
    this.nthBid = depth === 0 ? Infinity : nthPrice(bids, depth, -Infinity);
    this.nthAsk = depth === 0 ? -Infinity : nthPrice(asks, depth, Infinity);
    if (last !== undefined && bids === last.bids && asks === last.asks) return undefined;
    return (this.last = Object.freeze({ symbol: book.symbol, timestamp: book.timestamp, bids, asks }));
  }
}

/** Converts `[[price, size], ...]` to levels, reusing `prev` levels with the same price and size. */
export function levelsOf10(pairs: unknown, prev: readonly BookLevel[] | undefined): BookLevel[] {
  const out: BookLevel[] = [];
  if (!Array.isArray(pairs)) return out;
  for (let i = 0; i < pairs.length; i++) {
    const p: unknown = pairs[i];
    if (!Array.isArray(p)) continue;
    const price = Number(p[0]);
    const size = Number(p[1]);
    const old = prev?.[i];
    out.push(old !== undefined && old.price === price && old.size === size ? old : Object.freeze({ price, size, id: undefined }));
  }
  return out;
}

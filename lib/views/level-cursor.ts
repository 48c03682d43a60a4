/**
 * How a grouped book reads one side of a price-sorted book: a cursor that can start anywhere
 * by price and then walks towards worse prices. Grouping reads only the levels of the buckets it
 * shows (or of the buckets a frame touched), never the whole side.
 * @module
 */
import type { BookLevel } from '../book/l2-book';

/** One side of a price-sorted book, read best level first (bids high → low, asks low → high). */
export interface LevelCursor {
  /**
   * Positions the cursor before the first level whose price is `price` or worse (bids: at or
   * below it; asks: at or above it), or before the best level when `price` is undefined.
   */
  seek(price: number | undefined): void;
  /** Moves to the next level; false when there is none (the cursor is then spent until the next seek). */
  next(): boolean;
  /** Price of the current level (valid after `next()` returned true). */
  readonly price: number;
  /** Size of the current level. */
  readonly size: number;
}

/** A {@link LevelCursor} over an array of levels sorted best first (a snapshot's `bids` or `asks`). */
export class ArrayLevelCursor implements LevelCursor {
  private i = -1;
  price = NaN;
  size = NaN;
  constructor(
    private levels: readonly BookLevel[],
    private readonly isBid: boolean,
  ) {}

  /** Points the cursor at another array (same side). */
  reset(levels: readonly BookLevel[]): void {
    this.levels = levels;
    this.i = -1;
  }

  seek(price: number | undefined): void {
    const levels = this.levels;
    if (price === undefined) {
      this.i = -1;
      return;
    }
    // Binary search: the first index whose price is `price` or worse.
    let lo = 0;
    let hi = levels.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const p = (levels[mid] as BookLevel).price;
      if (this.isBid ? p > price : p < price) lo = mid + 1;
      else hi = mid;
    }
    this.i = lo - 1;
  }

  next(): boolean {
    const l = this.levels[++this.i];
    if (l === undefined) {
      this.i = this.levels.length;
      return false;
    }
    this.price = l.price;
    this.size = l.size;
    return true;
  }
}

/**
 * What a frame changed on one side, level by level, as parallel arrays: the level's price, its
 * size difference (NaN unless both sizes are whole numbers, so that every difference given is
 * exact), and its count difference (+1 added, -1 removed, 0 changed in place). A level that
 * moved is a removal at its old price and an addition at its new one.
 */
export class LevelChanges {
  readonly prices: number[] = [];
  readonly sizes: number[] = [];
  readonly counts: number[] = [];
  /** Changes held (the arrays are reused and never shortened). */
  n = 0;

  clear(): void {
    this.n = 0;
  }

  add(price: number, size: number, count: number): void {
    const i = this.n++;
    this.prices[i] = price;
    this.sizes[i] = size;
    this.counts[i] = count;
  }
}

/**
 * The visible buckets of one side of a grouped book, kept between frames: built by walking from
 * the best level until `depth` buckets are complete, then kept up to date from the levels a
 * frame changed ({@link SideGrouper.apply}): each one's size and count difference goes to its
 * bucket, with no read of the book while sizes are whole numbers; a bucket whose sum would not
 * be exact that way is summed again from the book.
 * @module
 */
import type { DepthLevel } from './grouped-book';
import type { LevelChanges, LevelCursor } from './level-cursor';
import type { PriceGrid } from './price-grid';

const EMPTY: readonly DepthLevel[] = Object.freeze([]);

/** The visible buckets of one side. */
export class SideGrouper {
  /** Bucket keys (edges in grid units), best first; the other arrays alike. */
  private readonly keys: number[] = [];
  private readonly sizes: number[] = [];
  private readonly values: number[] = [];
  /**
   * Levels in each bucket (a bucket with none is dropped); NaN when a level's size is not a whole
   * number: the bucket's sum may then be off by a rounding, so it is always summed from the book.
   */
  private readonly counts: number[] = [];
  /** The level last handed out for each bucket, while its size and value are unchanged. */
  private readonly levels: (DepthLevel | undefined)[] = [];
  /** Whether a bucket was added, removed or summed to another figure since the last emit. */
  private changed = false;
  /** Whether the last walk stopped at `depth` buckets with levels left beyond them. */
  private more = false;
  /** The last array handed out. */
  private out: readonly DepthLevel[] = EMPTY;
  /** Buckets summed again in the current frame (a frame touches a few), and how many. */
  private readonly done: number[] = [];
  private doneN = 0;

  constructor(
    private readonly isBid: boolean,
    private readonly grid: PriceGrid,
    private readonly depth: number,
    private readonly cumulative: boolean,
    private readonly notional: ((price: number, size: number) => number) | undefined,
  ) {}

  private bucketOf(price: number): number {
    return this.isBid ? this.grid.bidBucket(price) : this.grid.askBucket(price);
  }

  /** Whether bucket key `a` is better (nearer the spread) than `b`. */
  private better(a: number, b: number): boolean {
    return this.isBid ? a > b : a < b;
  }

  /** Whether bucket `k` lies past the last visible bucket while more exist: not shown. */
  private hidden(k: number): boolean {
    const n = this.keys.length;
    return this.more && (n === 0 || this.better(this.keys[n - 1] as number, k));
  }

  /** Index of bucket `k` among the buckets, or where it would go. */
  private indexOf(k: number): number {
    const keys = this.keys;
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.better(keys[mid] as number, k)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Whether bucket `k` was summed again in this frame (it then holds every change of it). */
  private resummed(k: number): boolean {
    const done = this.done;
    for (let i = 0; i < this.doneN; i++) if (done[i] === k) return true;
    return false;
  }

  /** Sums bucket `k` again, once a frame. */
  private resumOnce(c: LevelCursor, k: number): void {
    if (this.resummed(k)) return;
    this.done[this.doneN++] = k;
    this.resum(c, k);
  }

  /**
   * `dir * price` (dir -1 for bids, 1 for asks) of the far edge of the last visible bucket while
   * more buckets lie beyond it: a change past it shows nowhere. Infinity when every bucket shows.
   */
  horizon(): number {
    if (!this.more) return Infinity;
    const n = this.keys.length;
    if (n === 0) return -Infinity;
    const edge = this.grid.price(this.keys[n - 1] as number);
    return this.isBid ? -edge : edge;
  }

  /** Forgets every bucket and walks the side from its best level. */
  rebuild(c: LevelCursor): readonly DepthLevel[] {
    this.keys.length = 0;
    this.sizes.length = 0;
    this.values.length = 0;
    this.counts.length = 0;
    this.levels.length = 0;
    this.more = false;
    this.changed = true;
    this.collect(c, undefined);
    return this.emit();
  }

  /**
   * Applies a frame's level changes (all on this side, every one up to the horizon): each adds
   * its size and count difference to its bucket. A bucket is summed again from the book instead
   * when that would not be exact (sizes that are not whole numbers, values to total) or the
   * counts do not add up. Then fills up to `depth`.
   */
  apply(c: LevelCursor, ch: LevelChanges): readonly DepthLevel[] {
    this.doneN = 0;
    const keys = this.keys;
    const sizes = this.sizes;
    const counts = this.counts;
    const exact = this.notional === undefined;
    for (let p = 0; p < ch.n; p++) {
      const k = this.bucketOf(ch.prices[p] as number);
      // Beyond the visible buckets: not shown; `fill` reads it if it comes into view.
      if (this.hidden(k)) continue;
      if (this.doneN > 0 && this.resummed(k)) continue;
      if (exact) {
        const ds = ch.sizes[p] as number;
        const dc = ch.counts[p] as number;
        const i = this.indexOf(k);
        if (keys[i] === k) {
          const size = (sizes[i] as number) + ds;
          const count = (counts[i] as number) + dc;
          if (Number.isSafeInteger(ds) && Number.isSafeInteger(size) && count >= 0) {
            counts[i] = count;
            if (count === 0) this.drop(i);
            else if (size !== sizes[i]) {
              sizes[i] = size;
              this.levels[i] = undefined;
              this.changed = true;
            }
            continue;
          }
        } else if (dc > 0 && Number.isSafeInteger(ds)) {
          // A bucket with no levels before: it holds just the ones added.
          this.put(i, k, ds, 0, dc);
          continue;
        }
      }
      this.resumOnce(c, k);
    }
    return this.fill(c);
  }

  /** After a frame: cuts the buckets back to `depth`, or reads more when some went away. */
  private fill(c: LevelCursor): readonly DepthLevel[] {
    const keys = this.keys;
    if (keys.length > this.depth) {
      keys.length = this.sizes.length = this.values.length = this.counts.length = this.levels.length = this.depth;
      this.more = true;
    } else if (keys.length < this.depth && this.more) {
      this.collect(c, keys.length === 0 ? undefined : (keys[keys.length - 1] as number));
    }
    return this.emit();
  }

  private drop(i: number): void {
    this.keys.splice(i, 1);
    this.sizes.splice(i, 1);
    this.values.splice(i, 1);
    this.counts.splice(i, 1);
    this.levels.splice(i, 1);
    this.changed = true;
  }

  private put(i: number, k: number, size: number, value: number, count: number): void {
    this.keys.splice(i, 0, k);
    this.sizes.splice(i, 0, size);
    this.values.splice(i, 0, value);
    this.counts.splice(i, 0, count);
    this.levels.splice(i, 0, undefined);
    this.changed = true;
  }

  /** Sums bucket `k` from the book and stores (or drops) it. */
  private resum(c: LevelCursor, k: number): void {
    const g = this.grid.groupUnits;
    // Start at the bucket's better edge; levels exactly on it belong to the bucket before.
    c.seek(this.grid.price(this.isBid ? k + g : k - g));
    let count = 0;
    let whole = true;
    let size = 0;
    let value = 0;
    const notional = this.notional;
    while (c.next()) {
      const kk = this.bucketOf(c.price);
      if (kk !== k) {
        if (this.better(kk, k)) continue;
        break;
      }
      count++;
      size += c.size;
      if (!Number.isSafeInteger(c.size)) whole = false;
      if (notional !== undefined) value += notional(c.price, c.size);
    }
    const i = this.indexOf(k);
    if (this.keys[i] === k) {
      this.counts[i] = whole ? count : NaN;
      if (count === 0) this.drop(i);
      else if (this.sizes[i] !== size || this.values[i] !== value) {
        this.sizes[i] = size;
        this.values[i] = value;
        this.levels[i] = undefined;
        this.changed = true;
      }
    } else if (count > 0) this.put(i, k, size, value, whole ? count : NaN);
  }

  /** Appends the buckets after bucket `after` (from the best level when undefined) until `depth`. */
  private collect(c: LevelCursor, after: number | undefined): void {
    const depth = this.depth;
    this.more = false;
    if (this.keys.length >= depth) {
      this.more = true;
      return;
    }
    c.seek(after === undefined ? undefined : this.grid.price(after));
    const notional = this.notional;
    let open = false;
    let key = 0;
    let size = 0;
    let value = 0;
    let count = 0;
    let whole = true;
    while (c.next()) {
      const k = this.bucketOf(c.price);
      if (after !== undefined && !this.better(after, k)) continue;
      if (!open || k !== key) {
        if (open) {
          this.put(this.keys.length, key, size, value, whole ? count : NaN);
          if (this.keys.length === depth) {
            this.more = true;
            return;
          }
        }
        open = true;
        key = k;
        size = 0;
        value = 0;
        count = 0;
        whole = true;
      }
      count++;
      size += c.size;
      if (!Number.isSafeInteger(c.size)) whole = false;
      if (notional !== undefined) value += notional(c.price, c.size);
    }
    if (open) this.put(this.keys.length, key, size, value, whole ? count : NaN);
  }

  /**
   * The buckets as frozen levels: the last array itself when no bucket changed. A bucket's
   * level is kept while its size and value (and totals) are unchanged; a bucket summed anew
   * takes the previous array's level at its price when that one still fits.
   */
  emit(): readonly DepthLevel[] {
    const prev = this.out;
    if (!this.changed) return prev;
    this.changed = false;
    const keys = this.keys;
    const sizes = this.sizes;
    const values = this.values;
    const levels = this.levels;
    const n = keys.length;
    const isBid = this.isBid;
    const cumulative = this.cumulative;
    const withValue = cumulative && this.notional !== undefined;
    const out = new Array<DepthLevel>(n);
    let same = prev.length === n;
    let cum = 0;
    let cumValue = 0;
    let j = 0;
    for (let i = 0; i < n; i++) {
      const size = sizes[i] as number;
      cum += size;
      cumValue += values[i] as number;
      let level = levels[i];
      if (level === undefined || (cumulative && (level.cumSize !== cum || (withValue && level.cumNotional !== cumValue)))) {
        const price = this.grid.price(keys[i] as number);
        // The previous array's level at this price, if any (both sorted best first).
        while (j < prev.length && (isBid ? (prev[j] as DepthLevel).price > price : (prev[j] as DepthLevel).price < price)) j++;
        const p = prev[j];
        if (p !== undefined && p.price === price && p.size === size && (!cumulative || (p.cumSize === cum && (!withValue || p.cumNotional === cumValue)))) {
          level = p;
        } else if (withValue) {
          level = Object.freeze({ price, size, id: undefined, cumSize: cum, cumNotional: cumValue });
        } else if (cumulative) {
          level = Object.freeze({ price, size, id: undefined, cumSize: cum });
        } else {
          level = Object.freeze({ price, size, id: undefined });
        }
        levels[i] = level;
      }
      out[i] = level;
      if (level !== prev[i]) same = false;
    }
    if (same) return prev;
    return (this.out = Object.freeze(out));
  }
}

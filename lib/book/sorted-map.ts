/**
 * The one place that touches js-sdsl: an ordered collection of entries, sorted by a comparator
 * that is always given explicitly.
 *
 * It is a js-sdsl `OrderedSet` of entries rather than an `OrderedMap<price, entry>`: the
 * comparator finds each entry's sort key itself (an order book's entries are level numbers and
 * its comparator reads price, then id, from the book's columns), so the set *is* the
 * price → level map, and walking it costs nothing per step (an `OrderedMap` iterator's
 * `pointer` allocates a Proxy on every read). Ordering by (price, id) also keeps two rows that
 * momentarily share a price.
 *
 * Once the head has been read (a book view exists), it also keeps the *head*: an array of its
 * first entries (up to a few dozen), maintained on every add and delete, so that reading the
 * top of a book is an array read, not a tree walk with two iterator allocations. Adds and
 * deletes beyond the head's last entry leave it alone; one inside it shifts at most the head's
 * length of entries. When deletes have shortened it below what a reader asks for, it is
 * refilled by one walk.
 *
 * An entry can also be *hidden*: kept in the tree, in place, but skipped by every read
 * (`first`, `head`, `toArray`, `size`), and shown again later without a tree operation. An
 * order book hides a deleted level that was alone at its price, so that the next level at
 * that price (they come and go at the same prices near the top) costs no tree operation
 * either; {@link SortedMap.purge} drops hidden entries now and then.
 *
 * Rules kept here so callers need not know them: the comparator is mandatory; an entry's sort
 * key must not change while it is in the set (erase, change, re-add); and no iterator outlives
 * a call, so none is ever held across an erase.
 * @module
 */
import { OrderedSet } from 'js-sdsl';

/** Most entries {@link SortedMap.head} serves from its cache; deeper reads walk the tree. */
export const HEAD_MAX = 256;

/** An ordered set of entries, walked in comparator order. */
export class SortedMap<E> {
  private readonly tree: OrderedSet<E>;
  /** The first `cache.length` entries of the set, in order; kept once `active`. */
  private cache: E[] = [];
  /** Length the cache is refilled to and trimmed at (a book view's depth is 25 by default). */
  private cap = 64;
  /** Whether {@link SortedMap.head} was ever called: until then the cache is not kept. */
  private active = false;
  /** Entries in the tree that {@link SortedMap.hide} hid from every read. */
  private hidden = 0;

  /**
   * @param compare total order on entries; must be consistent while an entry is inside.
   * @param visible whether an entry is read (by `first`, `head`, `toArray`); the owner turns it
   *   false after {@link SortedMap.hide} and true before {@link SortedMap.show}.
   */
  constructor(
    private readonly compare: (a: E, b: E) => number,
    private readonly visible: (entry: E) => boolean = () => true,
  ) {
    this.tree = new OrderedSet<E>([], compare, false);
  }

  /** Number of visible entries. */
  get size(): number {
    return this.tree.size() - this.hidden;
  }

  /** Number of hidden entries. */
  get hiddenCount(): number {
    return this.hidden;
  }

  /** Adds an entry; one comparing equal to an entry inside is ignored (the tree keeps the old). O(log n). */
  add(entry: E): void {
    this.cacheAdd(entry);
    this.tree.insert(entry);
  }

  /**
   * Hides a visible entry from every read but keeps it in the tree, in place: no tree
   * operation, and {@link SortedMap.show} brings it back in O(1) plus the head cache's shift.
   */
  hide(entry: E): void {
    this.cacheDelete(entry);
    this.hidden++;
  }

  /** Shows a hidden entry again (its sort position must not have changed). */
  show(entry: E): void {
    this.cacheAdd(entry);
    this.hidden--;
  }

  /** Removes every hidden entry from the tree and returns them. O(n + hidden · log n). */
  purge(): E[] {
    const out: E[] = [];
    if (this.hidden === 0) return out;
    const it = this.tree.begin();
    for (let k = this.tree.size(); k > 0; k--, it.next()) {
      const e = it.pointer;
      if (!this.visible(e)) out.push(e);
    }
    for (const e of out) this.tree.eraseElementByKey(e);
    this.hidden = 0;
    return out;
  }

  /** Puts a newly visible entry into the head cache if it belongs there. */
  private cacheAdd(entry: E): void {
    const cache = this.cache;
    const n = cache.length;
    // The cache stays a prefix: an entry after its last one belongs to the uncached rest,
    // unless the cache holds everything.
    if (this.active && (n === this.size || (n > 0 && this.compare(entry, cache[n - 1] as E) < 0))) {
      const i = this.lowerBound(entry);
      if (i === n || this.compare(cache[i] as E, entry) !== 0) {
        cache.push(entry);
        for (let j = n; j > i; j--) cache[j] = cache[j - 1] as E;
        cache[i] = entry;
        if (n >= this.cap) cache.pop();
      }
    }
  }

  /** Removes the entry comparing equal to `entry`, visible or hidden; false when there is none. O(log n). */
  delete(entry: E): boolean {
    if (!this.tree.eraseElementByKey(entry)) return false;
    if (this.visible(entry)) this.cacheDelete(entry);
    else this.hidden--;
    return true;
  }

  /** Takes a visible entry out of the head cache if it is there. */
  private cacheDelete(entry: E): void {
    const cache = this.cache;
    const n = cache.length;
    if (n > 0 && this.compare(entry, cache[n - 1] as E) <= 0) {
      for (let j = this.lowerBound(entry); j < n - 1; j++) cache[j] = cache[j + 1] as E;
      cache.pop();
    }
  }

  /** First index of the cache whose entry does not sort before `entry`. */
  private lowerBound(entry: E): number {
    const cache = this.cache;
    let lo = 0;
    let hi = cache.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.compare(cache[mid] as E, entry) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** First visible entry in comparator order, if any. */
  first(): E | undefined {
    const e = this.tree.front();
    return e === undefined || this.visible(e) ? e : this.toArray(1)[0];
  }

  /** Removes every entry. */
  clear(): void {
    this.tree.clear();
    this.cache = [];
    this.hidden = 0;
  }

  /**
   * The first `min(limit, size)` entries in comparator order, as the first elements of an
   * internal array that may hold more: read it at once and do not keep it, it changes with
   * the next add or delete. Costs nothing for `limit <=` {@link HEAD_MAX} while the cache is
   * long enough; otherwise one O(limit) walk.
   */
  head(limit: number): readonly E[] {
    const cache = this.cache;
    if (this.active && (cache.length >= limit || cache.length === this.size)) return cache;
    if (limit > HEAD_MAX) return this.toArray(limit);
    this.active = true;
    this.cap = Math.max(this.cap, Math.min(HEAD_MAX, limit * 2));
    return (this.cache = this.toArray(this.cap));
  }

  /**
   * The first `limit` visible entries (all by default) in comparator order, in a new array: an
   * O(limit + hidden entries passed) `begin()`/`next()` walk after an O(log n) start.
   */
  toArray(limit = Infinity): E[] {
    const n = Math.min(limit, this.size);
    const out = new Array<E>(n);
    const it = this.tree.begin();
    for (let i = 0; i < n; it.next()) {
      const e = it.pointer;
      if (this.visible(e)) out[i++] = e;
    }
    return out;
  }
}

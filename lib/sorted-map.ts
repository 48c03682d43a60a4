/**
 * The one place that touches js-sdsl: an ordered collection of mutable entries, sorted by a
 * comparator that is always given explicitly.
 *
 * It is a js-sdsl `OrderedSet` of entries rather than an `OrderedMap<price, entry>`: the entry
 * carries its own sort key (price, then id), so the set *is* the price → entry map, and
 * walking it costs nothing per step (an `OrderedMap` iterator's `pointer` allocates a Proxy on
 * every read). Ordering by (price, id) also keeps two rows that momentarily share a price.
 *
 * Rules kept here so callers need not know them: the comparator is mandatory; an entry's sort
 * key must not change while it is in the set (erase, change, re-add); and no iterator outlives
 * a call, so none is ever held across an erase.
 * @module
 */
import { OrderedSet } from 'js-sdsl';

/** An ordered set of entries, walked in comparator order. */
export class SortedMap<E> {
  private readonly tree: OrderedSet<E>;

  /** @param compare total order on entries; must be consistent while an entry is inside. */
  constructor(compare: (a: E, b: E) => number) {
    this.tree = new OrderedSet<E>([], compare, false);
  }

  /** Number of entries. */
  get size(): number {
    return this.tree.size();
  }

  /** Adds an entry (replacing one that compares equal). O(log n). */
  add(entry: E): void {
    this.tree.insert(entry);
  }

  /** Removes the entry comparing equal to `entry`; false when there is none. O(log n). */
  delete(entry: E): boolean {
    return this.tree.eraseElementByKey(entry);
  }

  /** First entry in comparator order, if any. */
  first(): E | undefined {
    return this.tree.front();
  }

  /** Removes every entry. */
  clear(): void {
    this.tree.clear();
  }

  /**
   * Calls `visit` on the first `limit` entries in comparator order, in O(limit) after an
   * O(log n) start. The walk uses `begin()`/`next()`; `visit` must not modify the set.
   */
  forEach(limit: number, visit: (entry: E) => void): void {
    const end = this.tree.end();
    const it = this.tree.begin();
    for (let i = 0; i < limit && !it.equals(end); i++) {
      visit(it.pointer);
      it.next();
    }
  }

  /** The first `limit` entries (all by default) in comparator order. */
  toArray(limit = Infinity): E[] {
    const out: E[] = [];
    this.forEach(limit, (e) => out.push(e));
    return out;
  }
}

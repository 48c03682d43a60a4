/**
 * A number → level-number hash map for order-book level ids (and prices: keys may have
 * fractions).
 *
 * BitMEX L2 ids (~8.8e9) do not fit V8's small integers, so in a `Map` every key is a boxed
 * number that each probe must dereference. Here each slot is a (key, value) pair of doubles
 * side by side in one `Float64Array` (open addressing, linear probing, backward-shift deletion:
 * no tombstones): a lookup usually reads a single cache line and no object. NaN marks an empty
 * slot and cannot be a key.
 * @module
 */

const EMPTY = NaN;

/** Hash map from numeric ids (any non-NaN number) to numbers. */
export class IdIndex {
  /** Slot `s` holds its key at `2s` and its value at `2s + 1`. */
  private table: Float64Array;
  private mask: number;
  /** Number of entries. */
  size = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.table = emptyTable(cap);
    this.mask = cap - 1;
  }

  private slot(id: number): number {
    const lo = id | 0;
    const hi = (id / 4294967296) | 0;
    // The fraction too, so that prices (keys with fractions) spread as well as integer ids.
    const fraction = ((id - Math.floor(id)) * 4294967296) | 0;
    return (Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d) ^ Math.imul(fraction, 0x165667b1), 0x9e3779b1) >>> 0) & this.mask;
  }

  /** The value of `id`, if any. */
  get(id: number): number | undefined {
    const t = this.table;
    const mask = this.mask;
    for (let i = this.slot(id); ; i = (i + 1) & mask) {
      const k = t[2 * i] as number;
      if (k === id) return t[2 * i + 1] as number;
      if (k !== k) return undefined;
    }
  }

  /** Sets the value of `id` (NaN ids are ignored). */
  set(id: number, value: number): void {
    if (id !== id) return;
    if ((this.size + 1) * 2 > this.mask + 1) this.resize((this.mask + 1) * 2);
    const t = this.table;
    const mask = this.mask;
    for (let i = this.slot(id); ; i = (i + 1) & mask) {
      const k = t[2 * i] as number;
      if (k === id) {
        t[2 * i + 1] = value;
        return;
      }
      if (k !== k) {
        t[2 * i] = id;
        t[2 * i + 1] = value;
        this.size++;
        return;
      }
    }
  }

  /** Removes `id`; false when absent. */
  delete(id: number): boolean {
    const t = this.table;
    const mask = this.mask;
    let i = this.slot(id);
    for (; ; i = (i + 1) & mask) {
      const k = t[2 * i] as number;
      if (k === id) break;
      if (k !== k) return false;
    }
    // Shift later members of the probe run back so lookups never stop early at the hole.
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const k = t[2 * j] as number;
      if (k !== k) break;
      const home = this.slot(k);
      const movable = i <= j ? home <= i || home > j : home <= i && home > j;
      if (movable) {
        t[2 * i] = k;
        t[2 * i + 1] = t[2 * j + 1] as number;
        i = j;
      }
    }
    t[2 * i] = EMPTY;
    this.size--;
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    this.table = emptyTable(16);
    this.mask = 15;
    this.size = 0;
  }

  private resize(cap: number): void {
    const old = this.table;
    this.table = emptyTable(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const k = old[i] as number;
      if (k === k) this.set(k, old[i + 1] as number);
    }
  }
}

/** A table of `cap` empty slots. */
function emptyTable(cap: number): Float64Array {
  const t = new Float64Array(2 * cap);
  for (let i = 0; i < t.length; i += 2) t[i] = EMPTY;
  return t;
}

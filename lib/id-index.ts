/**
 * An id → level-number hash map for order-book level ids.
 *
 * BitMEX L2 ids (~8.8e9) do not fit V8's small integers, so in a `Map` every key is a boxed
 * number that each probe must dereference. Here the keys sit unboxed in one `Float64Array` and
 * the values (32-bit integers) in one `Int32Array` (open addressing, linear probing,
 * backward-shift deletion: no tombstones): a lookup touches two dense arrays and no object.
 * NaN marks an empty slot and cannot be a key.
 * @module
 */

const EMPTY = NaN;

/** Hash map from numeric ids (any non-NaN number) to 32-bit integers. */
export class IdIndex {
  private keys: Float64Array;
  private vals: Int32Array;
  private mask: number;
  /** Number of entries. */
  size = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
  }

  private slot(id: number): number {
    const lo = id | 0;
    const hi = (id / 4294967296) | 0;
    return (Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1) >>> 0) & this.mask;
  }

  /** The value of `id`, if any. */
  get(id: number): number | undefined {
    const keys = this.keys;
    const mask = this.mask;
    for (let i = this.slot(id); ; i = (i + 1) & mask) {
      const k = keys[i] as number;
      if (k === id) return this.vals[i] as number;
      if (k !== k) return undefined;
    }
  }

  /** Sets the value of `id` (NaN ids are ignored). */
  set(id: number, value: number): void {
    if (id !== id) return;
    if ((this.size + 1) * 2 > this.keys.length) this.resize(this.keys.length * 2);
    const keys = this.keys;
    const mask = this.mask;
    for (let i = this.slot(id); ; i = (i + 1) & mask) {
      const k = keys[i] as number;
      if (k === id) {
        this.vals[i] = value;
        return;
      }
      if (k !== k) {
        keys[i] = id;
        this.vals[i] = value;
        this.size++;
        return;
      }
    }
  }

  /** Removes `id`; false when absent. */
  delete(id: number): boolean {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = this.slot(id);
    for (; ; i = (i + 1) & mask) {
      const k = keys[i] as number;
      if (k === id) break;
      if (k !== k) return false;
    }
    // Shift later members of the probe run back so lookups never stop early at the hole.
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const k = keys[j] as number;
      if (k !== k) break;
      const home = this.slot(k);
      const movable = i <= j ? home <= i || home > j : home <= i && home > j;
      if (movable) {
        keys[i] = k;
        vals[i] = vals[j] as number;
        i = j;
      }
    }
    keys[i] = EMPTY;
    this.size--;
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    this.keys = new Float64Array(16).fill(EMPTY);
    this.vals = new Int32Array(16);
    this.mask = 15;
    this.size = 0;
  }

  private resize(cap: number): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < oldKeys.length; i++) {
      const k = oldKeys[i] as number;
      if (k === k) this.set(k, oldVals[i] as number);
    }
  }
}

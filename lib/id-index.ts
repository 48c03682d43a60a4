/**
 * An id → entry hash map for order-book levels, whose entries carry their own `id`.
 *
 * Open addressing with linear probing and backward-shift deletion (no tombstones) over one
 * array of entries: a lookup reads the slot and the entry it holds, which the caller needs
 * anyway, so a hit costs one memory access more than the entry itself (a separate key array
 * would cost two). `undefined` marks an empty slot.
 * @module
 */

/** Hash map from numeric ids to entries that hold their id. */
export class IdIndex<V extends { readonly id: number }> {
  private vals: (V | undefined)[];
  private mask: number;
  /** Number of entries. */
  size = 0;

  constructor(capacity = 16) {
    let cap = 16;
    while (cap < capacity * 2) cap *= 2;
    this.vals = new Array<V | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
  }

  private slot(id: number): number {
    const lo = id | 0;
    const hi = (id / 4294967296) | 0;
    return (Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1) >>> 0) & this.mask;
  }

  /** The entry of `id`, if any. */
  get(id: number): V | undefined {
    const vals = this.vals;
    const mask = this.mask;
    for (let i = this.slot(id); ; i = (i + 1) & mask) {
      const v = vals[i];
      if (v === undefined || v.id === id) return v;
    }
  }

  /** Adds `value` under its id, replacing the entry with the same id (NaN ids are ignored). */
  set(value: V): void {
    const id = value.id;
    if (id !== id) return;
    if ((this.size + 1) * 2 > this.vals.length) this.resize(this.vals.length * 2);
    const vals = this.vals;
    const mask = this.mask;
    for (let i = this.slot(id); ; i = (i + 1) & mask) {
      const v = vals[i];
      if (v === undefined) {
        vals[i] = value;
        this.size++;
        return;
      }
      if (v.id === id) {
        vals[i] = value;
        return;
      }
    }
  }

  /** Removes `id`; false when absent. */
  delete(id: number): boolean {
    const vals = this.vals;
    const mask = this.mask;
    let i = this.slot(id);
    for (; ; i = (i + 1) & mask) {
      const v = vals[i];
      if (v === undefined) return false;
      if (v.id === id) break;
    }
    // Shift later members of the probe run back so lookups never stop early at the hole.
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const v = vals[j];
      if (v === undefined) break;
      const home = this.slot(v.id);
      const movable = i <= j ? home <= i || home > j : home <= i && home > j;
      if (movable) {
        vals[i] = v;
        i = j;
      }
    }
    vals[i] = undefined;
    this.size--;
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    this.vals = new Array<V | undefined>(16).fill(undefined);
    this.mask = 15;
    this.size = 0;
  }

  private resize(cap: number): void {
    const old = this.vals;
    this.vals = new Array<V | undefined>(cap).fill(undefined);
    this.mask = cap - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i++) {
      const v = old[i];
      if (v !== undefined) this.set(v);
    }
  }
}

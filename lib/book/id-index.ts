/**
 * The id → price index of one book side: a mutable hash table of doubles (open addressing, linear
 * probing, deletes by backward shift, so no tombstones pile up). Level ids are mostly above 2^31:
 * in a `Map` each would be a boxed number, hashed through the box; here a lookup or an update
 * allocates nothing. Which side may use it is {@link ./book-side}'s business.
 * @module
 */

/** Marks an empty slot: ids are finite numbers. */
const EMPTY = NaN;

export class IdTable {
  private keys: Float64Array;
  private vals: Float64Array;
  /** Slot count minus one (a power of two minus one). */
  private mask: number;
  /** 32 minus log2 of the slot count: the shift that turns a 32-bit hash into a slot. */
  private shift: number;
  size = 0;

  constructor(expected = 0) {
    let bits = 4;
    while (1 << bits < expected * 2) bits++;
    this.keys = new Float64Array(1 << bits).fill(EMPTY);
    this.vals = new Float64Array(1 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
  }

  /** The home slot of `id`: its low and high 32 bits mixed, the top bits taken. */
  private home(id: number): number {
    const h = Math.imul((id >>> 0) ^ ((id / 4294967296) >>> 0), 0x9e3779b1);
    return h >>> this.shift;
  }

  /** The price of `id`, or undefined. */
  get(id: number): number | undefined {
    const keys = this.keys;
    const mask = this.mask;
    for (let i = this.home(id); ; i = (i + 1) & mask) {
      const k = keys[i] as number;
      if (k === id) return this.vals[i];
      if (k !== k) return undefined;
    }
  }

  /** Sets the price of `id`; returns its price before, or undefined (one probe for both). */
  set(id: number, price: number): number | undefined {
    const keys = this.keys;
    const mask = this.mask;
    for (let i = this.home(id); ; i = (i + 1) & mask) {
      const k = keys[i] as number;
      if (k === id) {
        const was = this.vals[i];
        this.vals[i] = price;
        return was;
      }
      if (k !== k) {
        keys[i] = id;
        this.vals[i] = price;
        // At most half full: probes stay short.
        if (++this.size * 2 > mask + 1) this.grow();
        return undefined;
      }
    }
  }

  /** Removes `id` if present. */
  delete(id: number): void {
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = this.home(id);
    for (;;) {
      const k = keys[i] as number;
      if (k !== k) return;
      if (k === id) break;
      i = (i + 1) & mask;
    }
    this.size--;
    // Shift back later entries of the run that may sit past their home because of this one.
    for (let j = (i + 1) & mask; ; j = (j + 1) & mask) {
      const k = keys[j] as number;
      if (k !== k) break;
      const h = this.home(k);
      // Move k into the hole at i unless its home lies cyclically in (i, j].
      if (i <= j ? h <= i || h > j : h <= i && h > j) {
        keys[i] = k;
        vals[i] = vals[j] as number;
        i = j;
      }
    }
    keys[i] = EMPTY;
  }

  private grow(): void {
    const keys = this.keys;
    const vals = this.vals;
    const bits = 33 - this.shift;
    this.keys = new Float64Array(1 << bits).fill(EMPTY);
    this.vals = new Float64Array(1 << bits);
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as number;
      if (k === k) this.set(k, vals[i] as number);
    }
  }
}

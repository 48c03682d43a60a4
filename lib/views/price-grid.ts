/**
 * Exact price buckets for grouped books. Prices such as 0.05 or 0.5 are not exact in binary, so
 * `Math.floor(price / group) * group` misplaces prices that sit on a bucket edge and prints
 * 3000.1000000000004. A {@link PriceGrid} works in integer units of 10^-decimals instead (the
 * decimals of the tick size and the group): prices on the grid become exact integers, bucket
 * edges are integer multiples, and a bucket's price is an exact integer divided by a power of
 * ten, i.e. the same double as its decimal literal.
 * @module
 */

/** Decimal places of a positive finite number as written (0.05 → 2, 0.5 → 1, 10 → 0); at most 12. */
export function decimalsOf(x: number): number {
  for (let d = 0; d < 12; d++) if (Number(x.toFixed(d)) === x) return d;
  return 12;
}

/** Whether `x` is a finite number greater than zero. */
function positive(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

/**
 * A grid's `[scale, groupUnits]` (see {@link PriceGrid}). On its own so `book$` can check its
 * options at once without the bucket code, which it loads on first use.
 * @throws TypeError when `group` is not a positive multiple of `tickSize`.
 */
export function gridUnits(group: number, tickSize?: number): [scale: number, groupUnits: number] {
  if (!positive(group)) throw new TypeError(`group must be a positive number, got ${String(group)}`);
  if (tickSize !== undefined && !positive(tickSize)) throw new TypeError(`tickSize must be a positive number, got ${String(tickSize)}`);
  const scale = 10 ** Math.max(decimalsOf(group), tickSize === undefined ? 0 : decimalsOf(tickSize));
  const groupUnits = Math.round(group * scale);
  if (tickSize !== undefined && groupUnits % Math.round(tickSize * scale) !== 0) {
    throw new TypeError(`group ${group} is not a multiple of the tick size ${tickSize}`);
  }
  return [scale, groupUnits];
}

/**
 * Price buckets of width `group`. Bids go down to the bucket's lower edge, asks up to its upper
 * edge, so a bucket never shows a better price than any level in it.
 */
export class PriceGrid {
  /** 10^decimals: one price unit is 1 / scale. */
  readonly scale: number;
  /** The group width in units (an integer). */
  readonly groupUnits: number;

  /**
   * @param group bucket width in price terms.
   * @param tickSize the instrument's price step, when known: `group` must be a multiple of it.
   * @throws TypeError when `group` is not a positive multiple of `tickSize`.
   */
  constructor(readonly group: number, readonly tickSize?: number) {
    [this.scale, this.groupUnits] = gridUnits(group, tickSize);
  }

  /**
   * A price in units: an exact integer for a price on the grid; an off-grid price (more decimals
   * than the grid) keeps its fraction, so floor/ceil still put it in the right bucket.
   */
  units(price: number): number {
    const u = price * this.scale;
    const r = Math.round(u);
    return Math.abs(u - r) <= 1e-9 * Math.max(1, Math.abs(u)) ? r : u;
  }

  /** The bucket of a bid price: its lower edge, in units. */
  bidBucket(price: number): number {
    const u = this.units(price);
    return u - mod(u, this.groupUnits);
  }

  /** The bucket of an ask price: its upper edge, in units. */
  askBucket(price: number): number {
    const u = this.units(price);
    const r = mod(u, this.groupUnits);
    return r === 0 ? u : u - r + this.groupUnits;
  }

  /** A bucket's price (exact: the double nearest the decimal value). */
  price(bucketUnits: number): number {
    return bucketUnits / this.scale;
  }
}

/**
 * `u` modulo `g` in [0, g). `%` is exact (no division rounding), so `u - mod(u, g)` is an exact
 * multiple of `g` even where `Math.floor(u / g)` would round up.
 */
function mod(u: number, g: number): number {
  const r = u % g;
  return r < 0 ? r + g : r;
}

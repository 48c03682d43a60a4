/**
 * `orderBook10` rows carry their levels as `[price, size]` pairs; the book view leaves out a pair
 * that is not a finite price and a finite size ≥ 0 (never a NaN or negative level). This makes
 * such pairs known: once per frame, as an unusable entry naming the first row that has one.
 * @module
 */
import type { Output } from './output';
import { isRow } from './output';

/** The table whose rows hold pairs. */
export const BOOK10 = 'orderBook10';

/** Lists, once, the pairs of `rows` that are not [finite price, finite size ≥ 0] in `out`. */
export function checkBook10Pairs(rows: readonly unknown[], out: Output): void {
  let first = -1;
  let total = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!isRow(r)) continue; // rejected on its own already
    const n = badPairs(r.bids) + badPairs(r.asks);
    if (n > 0 && first < 0) first = i;
    total += n;
  }
  if (first < 0) return;
  const what = total === 1 ? 'a [price, size] pair that is' : '[price, size] pairs that are';
  out.reject(first, rows[first], `has ${what} not a finite price and a finite size ≥ 0${total === 1 ? '' : ` (${total} in the frame)`}`, /* kept */ true);
}

/** How many entries of a side are not usable pairs (a side that is not an array counts as one). */
function badPairs(side: unknown): number {
  if (side === undefined) return 0;
  if (!Array.isArray(side)) return 1;
  let n = 0;
  for (const p of side) {
    const price: unknown = Array.isArray(p) ? p[0] : undefined;
    const size: unknown = Array.isArray(p) ? p[1] : undefined;
    if (typeof price !== 'number' || !Number.isFinite(price) || typeof size !== 'number' || !Number.isFinite(size) || size < 0) n++;
  }
  return n;
}

/**
 * Partial filters: which rows of a table some received partial covers. Deltas for rows no
 * partial covers are skipped, not applied.
 * @module
 */
import type { Row } from '../protocol/frames';
import { own } from './keys';

export type Filter = Readonly<Record<string, unknown>>;

/** The filters received for a table, sorted for quick tests. Immutable. */
export interface FilterSet {
  readonly list: readonly Filter[];
  /** Some filter is `{}`: every row is covered. */
  readonly all: boolean;
  /** Symbols of `{ symbol }` filters. */
  readonly symbols: ReadonlySet<string>;
  /** Every other filter. */
  readonly others: readonly Filter[];
}

/** A filter set of `list`. */
export function filterSet(list: readonly Filter[]): FilterSet {
  let all = false;
  const symbols = new Set<string>();
  const others: Filter[] = [];
  for (const f of list) {
    const fields = Object.keys(f);
    if (fields.length === 0) all = true;
    else if (fields.length === 1 && fields[0] === 'symbol' && typeof f.symbol === 'string') symbols.add(f.symbol);
    else others.push(f);
  }
  return { list, all, symbols, others };
}

export const NO_FILTERS = filterSet([]);

/** Whether the row has every field of `filter` with the same value (own fields only). */
export function matches(filter: Filter, row: Row): boolean {
  for (const k of Object.keys(filter)) if (own(row, k) !== filter[k]) return false;
  return true;
}

/** Whether some received filter covers the row. */
export function accepts(fs: FilterSet, row: Row): boolean {
  if (fs.all) return true;
  const s = own(row, 'symbol');
  if (typeof s === 'string' && fs.symbols.has(s)) return true;
  const others = fs.others;
  for (let i = 0; i < others.length; i++) if (matches(others[i] as Filter, row)) return true;
  return false;
}

/** Whether two filters have the same fields and values. */
export function sameFilter(a: Filter, b: Filter): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && b[k] === a[k]);
}

/** The filter of a partial frame: its `filter` when an object, else `{}` (the whole table). */
export function filterOf(v: unknown): Filter {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Filter) : {};
}

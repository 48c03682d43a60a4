/**
 * Row keys: which columns identify a row of a table, and the string key built from them.
 * @module
 */
import type { Row } from '../protocol/frames';
import { TABLE_KEYS } from '../protocol/tables';

const NO_KEYS: readonly string[] = Object.freeze([]);

/** The keys BitMEX uses for `table` (none for unknown tables, whatever their name: the catalogue has no prototype). */
export function knownKeys(table: string): readonly string[] {
  return TABLE_KEYS[table] ?? NO_KEYS;
}

/** `v` when it is an array of strings (a usable key list), else undefined. */
export function keyList(v: unknown): readonly string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return undefined;
  return v as string[];
}

/** The own property `k` of a row (never an inherited one such as `toString`). */
export function own(row: Row, k: string): unknown {
  return Object.prototype.hasOwnProperty.call(row, k) ? row[k] : undefined;
}

/** Deepest nesting and most values a key column's value may have; beyond, the row has no key. */
const MAX_DEPTH = 32;
const MAX_NODES = 1024;

/** Whether a JSON-like value is small and shallow enough to serialise as a key (no recursion). */
function bounded(v: object): boolean {
  const stack: unknown[] = [v];
  const depth: number[] = [1];
  let nodes = 0;
  while (stack.length > 0) {
    const x = stack.pop();
    const d = depth.pop() as number;
    if (++nodes > MAX_NODES || d > MAX_DEPTH) return false;
    if (typeof x !== 'object' || x === null) continue;
    for (const k in x) {
      stack.push((x as Record<string, unknown>)[k]);
      depth.push(d + 1);
    }
  }
  return true;
}

function keyPart(v: unknown): string | undefined {
  if (v === undefined || v === null) return '\u0000';
  if (typeof v !== 'object') return String(v);
  if (!bounded(v)) return undefined;
  try {
    return JSON.stringify(v);
  } catch {
    return undefined;
  }
}

/** Joins a row's key parts (a character no key value of BitMEX's holds). */
export const KEY_SEPARATOR = '\u001f';

/** A row key as a person reads it: its parts joined by `:` (the separator is invisible in logs). */
export function readableKey(key: string): string {
  return key.split(KEY_SEPARATOR).join(':');
}

/**
 * The string key of a row from its key columns, or undefined when a key value is too deep or
 * large to serve as a key (such a row cannot be stored or found).
 */
export function keyOf(row: Row, keys: readonly string[]): string | undefined {
  if (keys.length === 1) return keyPart(own(row, keys[0] as string));
  let s = '';
  for (let i = 0; i < keys.length; i++) {
    const p = keyPart(own(row, keys[i] as string));
    if (p === undefined) return undefined;
    s += (i === 0 ? '' : KEY_SEPARATOR) + p;
  }
  return s;
}

/**
 * The string key of a row: its key columns' values joined. `keys` defaults to the keys BitMEX
 * uses for `table` (none for unknown tables). Never throws: a value too deep to be a key gives
 * a key of its own kind that matches no stored row.
 */
export function makeKey(table: string, row: Row, keys: readonly string[] = knownKeys(table)): string {
  return keyOf(row, keys) ?? '\u0000\u0000unkeyable';
}

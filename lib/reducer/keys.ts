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

/** What `makeKey` gives a row that has no usable key. */
const UNKEYABLE = '\u0000\u0000unkeyable';

/** A row key as a person reads it: its parts joined by `:` (the separator is invisible in logs), a missing part as null. */
export function readableKey(key: string): string {
  return key === UNKEYABLE ? '(no usable key)' : key.split(KEY_SEPARATOR).map((p) => (p === '\u0000' ? 'null' : p)).join(':');
}

/**
 * The string key of a row from its key columns, or undefined when a key value is too deep or
 * large to serve as a key, or the row has none of its key columns (such a row cannot be stored or
 * found). A missing or null column beside present ones is a key part of its own.
 */
export function keyOf(row: Row, keys: readonly string[]): string | undefined {
  if (keys.length === 1) {
    const v = own(row, keys[0] as string);
    return v === undefined ? undefined : keyPart(v);
  }
  let s = '';
  let present = keys.length === 0;
  for (let i = 0; i < keys.length; i++) {
    const v = own(row, keys[i] as string);
    if (v !== undefined) present = true;
    const p = keyPart(v);
    if (p === undefined) return undefined;
    s += (i === 0 ? '' : KEY_SEPARATOR) + p;
  }
  // A row with none of its key columns names no row (all such rows would share one key).
  return present ? s : undefined;
}

/**
 * The string key of a row: its key columns' values joined. `keys` defaults to the keys BitMEX
 * uses for `table` (none for unknown tables). Never throws: a value too deep to be a key, or a
 * row with none of its key columns, gives a key of its own kind that matches no stored row.
 */
export function makeKey(table: string, row: Row, keys: readonly string[] = knownKeys(table)): string {
  return keyOf(row, keys) ?? UNKEYABLE;
}

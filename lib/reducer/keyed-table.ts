/**
 * Keyed tables (instrument, order, position, ...) and insert-only logs (trade, quote, ...) as
 * persistent values: rows by key in a persistent hash map, and per symbol the arrival order in a
 * persistent tree, for trimming to `maxTableLength` (oldest first, in one pass per frame).
 * Every function takes a table the current edit may change ({@link editTable}).
 * @module
 */
import { emptyMap, mapForEach, mapFound, mapGet, mapRemove, mapSet } from '../book/hash-map';
import type { HashKey } from '../book/hash-map';
import { collect, emptyTree, remove, set } from '../book/sorted-tree';
import type { Tie } from '../book/sorted-tree';
import type { Row } from '../protocol/frames';
import { timestampMs } from '../protocol/timestamp';
import { accepts, matches } from './filters';
import type { Filter } from './filters';
import { keyOf } from './keys';
import { isRow, symbolOf } from './output';
import type { Output } from './output';
import { NO_SYMBOL, Part } from './state';
import type { Config, Entry, Table } from './state';

/** Arrival numbers are unique: no ties. */
const NO_TIE: Tie<unknown> = () => 0;

const ORDER_CLOSED_AGE_MS = 60_000;

function partKey(row: Row): HashKey {
  return symbolOf(row) ?? NO_SYMBOL;
}

/** The part `pk` of table `tb`, made editable by `t` (created when absent). */
function editPart(tb: Table, pk: HashKey, t: number): Part {
  let p = mapGet(tb.parts, pk);
  if (p === undefined) p = new Part(t, emptyTree(), 0);
  else if (p.t === t) return p;
  else p = new Part(t, p.order, p.n);
  tb.parts = mapSet(tb.parts, pk, p, t);
  return p;
}

/** Takes arrival number `seq` out of part `pk`, dropping the part when it empties. */
function unlist(tb: Table, pk: HashKey, seq: number, t: number): void {
  const p = editPart(tb, pk, t);
  p.order = remove(p.order, seq, 0, t, NO_TIE);
  p.n--;
  if (p.n === 0) tb.parts = mapRemove(tb.parts, pk, t);
}

/** Whether the last {@link put} replaced a stored row with the same key. */
let replaced = false;

/**
 * Stores a frozen row (replacing a row with the same key: {@link replaced}); returns its part
 * key, or undefined when its key cannot be built (a key value too deep).
 */
export function put(tb: Table, row: Row, t: number): HashKey | undefined {
  const pk = partKey(row);
  const seq = tb.counter;
  replaced = false;
  if (tb.kind === 'log') {
    const p = editPart(tb, pk, t);
    p.order = set(p.order, seq, 0, row, t, NO_TIE);
    p.n++;
  } else {
    const key = keyOf(row, tb.keys);
    if (key === undefined) return undefined;
    tb.index = mapSet(tb.index, key, { row, seq }, t);
    replaced = mapFound.hit;
    if (replaced) {
      const old = mapFound.old as Entry;
      unlist(tb, partKey(old.row), old.seq, t);
    }
    const p = editPart(tb, pk, t);
    p.order = set(p.order, seq, 0, key, t, NO_TIE);
    p.n++;
  }
  tb.counter = seq + 1;
  if (tb.name === 'order') noteOrderTime(tb, row);
  return pk;
}

function noteOrderTime(tb: Table, row: Row): void {
  const ts = row.timestamp;
  if (typeof ts === 'string') {
    const ms = timestampMs(ts);
    if (ms > tb.newest) tb.newest = ms;
  }
}

/** Applies an insert frame's rows. */
export function insertRows(tb: Table, rows: readonly unknown[], out: Output, config: Config, t: number): void {
  const touched = new Set<HashKey>();
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!isRow(r)) {
      out.reject(i, r);
      continue;
    }
    if (!accepts(tb.filters, r)) {
      out.skip(r);
      continue;
    }
    const row = Object.freeze(r);
    const pk = put(tb, row, t);
    if (pk === undefined) {
      out.inconsistent('insert', row, tb.keys);
      continue;
    }
    // A key already held: the server thought the row gone (the image missed a delete). The row
    // replaces it and is reported — unless the keys are the user's (`tableKeys`), which merge on purpose.
    if (replaced && !config.tableKeys.has(tb.name)) out.inconsistent('insert', row, tb.keys);
    touched.add(pk);
    out.changes.add(symbolOf(row), row);
  }
  for (const pk of touched) trim(tb, pk, config, t);
}

/**
 * The stored entry a sparse update or delete refers to, by the table's keys. A row that finds
 * none is reported: as an inconsistency when a partial covers it, else as skipped.
 */
function findStored(tb: Table, r: Row, action: 'update' | 'delete', out: Output): { key: string; old: Entry } | undefined {
  const key = tb.kind === 'keyed' ? keyOf(r, tb.keys) : undefined;
  const old = key === undefined ? undefined : mapGet(tb.index, key);
  if (old === undefined || key === undefined) {
    if (accepts(tb.filters, r)) out.inconsistent(action, r, tb.keys);
    else out.skip(r);
    return undefined;
  }
  return { key, old };
}

/** Applies an update frame's rows. */
export function updateRows(tb: Table, rows: readonly unknown[], out: Output, t: number): void {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!isRow(r)) {
      out.reject(i, r);
      continue;
    }
    const found = findStored(tb, r, 'update', out);
    if (found === undefined) continue;
    const { key, old } = found;
    Object.freeze(r);
    const row = Object.freeze({ ...old.row, ...r });
    const pk = partKey(row);
    if (pk === partKey(old.row)) tb.index = mapSet(tb.index, key, { row, seq: old.seq }, t);
    else {
      // Another symbol: listed anew, as a fresh row.
      tb.index = mapRemove(tb.index, key, t);
      unlist(tb, partKey(old.row), old.seq, t);
      put(tb, row, t);
    }
    if (tb.name === 'order') noteOrderTime(tb, row);
    out.changes.add(symbolOf(row), row);
  }
}

/** Applies a delete frame's rows. */
export function deleteRows(tb: Table, rows: readonly unknown[], out: Output, t: number): void {
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (!isRow(r)) {
      out.reject(i, r);
      continue;
    }
    const found = findStored(tb, r, 'delete', out);
    if (found === undefined) continue;
    Object.freeze(r);
    const { key, old } = found;
    tb.index = mapRemove(tb.index, key, t);
    unlist(tb, partKey(old.row), old.seq, t);
    out.changes.add(symbolOf(old.row), old.row);
  }
}

/** The row behind an order value: the row itself (logs) or its key's entry (keyed). */
function rowAt(tb: Table, v: string | Row): Row {
  return typeof v === 'string' ? (mapGet(tb.index, v) as Entry).row : v;
}

/** The rows of part `pk`, oldest first. */
export function partRows(tb: Table, pk: HashKey): Row[] {
  const p = mapGet(tb.parts, pk);
  if (p === undefined) return [];
  const vs = collect(p.order, Infinity, []);
  const out = new Array<Row>(vs.length);
  for (let i = 0; i < vs.length; i++) out[i] = rowAt(tb, vs[i] as string | Row);
  return out;
}

/**
 * Drops the oldest rows of part `pk` beyond the limit (closed, old ones only for `order`), in
 * one pass: the rows to drop are found by one walk, then removed, O(dropped × log n).
 */
export function trim(tb: Table, pk: HashKey, config: Config, t: number): void {
  const max = config.maxTableLength;
  const p = mapGet(tb.parts, pk);
  if (p === undefined || p.n <= max) return;
  const excess = p.n - max;
  const drop: (string | Row)[] = [];
  if (tb.name === 'order') {
    const now = config.now?.() ?? tb.newest;
    for (const v of collect(p.order, Infinity, [])) {
      if (drop.length === excess) break;
      const r = rowAt(tb, v);
      if (r.leavesQty !== 0) continue;
      const ts = r.timestamp;
      const age = now - (typeof ts === 'string' ? timestampMs(ts) : NaN);
      if (age > ORDER_CLOSED_AGE_MS) drop.push(v);
    }
  } else collect(p.order, excess, drop);
  for (const v of drop) {
    if (typeof v === 'string') {
      tb.index = mapRemove(tb.index, v, t);
      unlist(tb, pk, (mapFound.old as Entry).seq, t);
    } else {
      // Logs: the oldest entries, in order.
      const e = editPart(tb, pk, t);
      e.order = remove(e.order, firstSeq(e), 0, t, NO_TIE);
      e.n--;
    }
  }
}

/** The arrival number of a part's oldest entry. */
function firstSeq(p: Part): number {
  let n = p.order;
  while (n.c !== null) n = n.c[0] as typeof n;
  return n.k[0] as number;
}

/** Removes the rows matching `filter` from a keyed table or log. */
export function removeMatchingRows(tb: Table, filter: Filter, t: number): void {
  const fields = Object.keys(filter);
  if (fields.length === 0) {
    tb.index = emptyMap();
    tb.parts = emptyMap();
    return;
  }
  if (fields.length === 1 && fields[0] === 'symbol' && typeof filter.symbol === 'string') {
    const p = mapGet(tb.parts, filter.symbol);
    if (p === undefined) return;
    if (tb.kind === 'keyed') for (const k of collect(p.order, Infinity, [])) tb.index = mapRemove(tb.index, k as string, t);
    tb.parts = mapRemove(tb.parts, filter.symbol, t);
    return;
  }
  // Filters on other fields: handled, not optimised.
  const doomed: { pk: HashKey; rows: Row[] }[] = [];
  forEachPart(tb, (pk) => doomed.push({ pk, rows: partRows(tb, pk).filter((r) => matches(filter, r)) }));
  for (const { rows } of doomed) for (const r of rows) removeRow(tb, r, t);
}

/** Removes a stored row (by key, or by identity in a log). */
function removeRow(tb: Table, r: Row, t: number): void {
  const pk = partKey(r);
  if (tb.kind === 'keyed') {
    const key = keyOf(r, tb.keys) as string;
    tb.index = mapRemove(tb.index, key, t);
    if (mapFound.hit) unlist(tb, pk, (mapFound.old as Entry).seq, t);
    return;
  }
  const p = mapGet(tb.parts, pk);
  if (p === undefined) return;
  const seqs: number[] = [];
  walkEntries(p, (seq, v) => {
    if (v === r) seqs.push(seq);
  });
  for (const seq of seqs) unlist(tb, pk, seq, t);
}

function walkEntries(p: Part, fn: (seq: number, v: string | Row) => void): void {
  const visit = (n: Part['order']): void => {
    if (n.c === null) for (let i = 0; i < n.k.length; i++) fn(n.k[i] as number, (n.v as (string | Row)[])[i] as string | Row);
    else for (const c of n.c) visit(c);
  };
  visit(p.order);
}

/** Calls `fn` with each part (collected first: `fn` may change the table). */
export function forEachPart(tb: Table, fn: (pk: HashKey, p: Part) => void): void {
  const list: [HashKey, Part][] = [];
  mapForEach(tb.parts, (p, pk) => list.push([pk, p]));
  for (const [pk, p] of list) fn(pk, p);
}

/** Every row of a log with its arrival number. */
export function logEntries(tb: Table): [number, Row][] {
  const out: [number, Row][] = [];
  forEachPart(tb, (_, p) => walkEntries(p, (seq, v) => out.push([seq, v as Row])));
  return out;
}

/** Re-files every stored row under new key columns (a partial changed them). */
export function rekey(tb: Table, kind: 'keyed' | 'log', keys: readonly string[], t: number): void {
  const all: [number, Row][] = [];
  forEachPart(tb, (pk) => {
    const rows = partRows(tb, pk);
    const p = mapGet(tb.parts, pk) as Part;
    let i = 0;
    walkEntries(p, (seq) => all.push([seq, rows[i++] as Row]));
  });
  all.sort((a, b) => a[0] - b[0]);
  tb.index = emptyMap();
  tb.parts = emptyMap();
  tb.kind = kind;
  tb.keys = keys;
  for (const [, r] of all) put(tb, r, t);
}

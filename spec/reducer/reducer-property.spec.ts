/**
 * Property test: random partial/insert/update/delete/clear sequences over two L2 book tables
 * (the same symbols in both: a state keeps the book changed last apart from its table) and a
 * generic keyed table, applied to the reducer and to a naive model made of plain arrays.
 */
import fc from 'fast-check';
import type { Row, TableFrame } from '../../lib/protocol/frames';
import { bookOf, clearImage, createBookView, emptyTables, makeKey, reduceTables, rowsOf } from '../../lib/reducer/reducer';
import type { BookLevel, BookSnapshot, TablesState } from '../../lib/reducer/reducer';

type Filter = Record<string, unknown>;
const SYMBOLS = ['XBTUSD', 'ETHUSD'] as const;
const KEYS: Record<string, string[]> = { orderBookL2: ['symbol', 'id', 'side'], orderBookL2_25: ['symbol', 'id', 'side'], thing: ['symbol', 'n'] };
const TABLES = ['orderBookL2', 'orderBookL2_25', 'thing'] as const;
const BOOK_TABLES = ['orderBookL2', 'orderBookL2_25'] as const;
type Top = { bids: BookLevel[]; asks: BookLevel[] };
const DEPTH = 3;

type Op =
  | { kind: 'partial'; table: string; filter: Filter; rows: Row[] }
  | { kind: 'insert' | 'update' | 'delete'; table: string; rows: Row[] }
  | { kind: 'clear'; table: string; filter: Filter };

const symbol = fc.constantFrom(...SYMBOLS);
const l2Full = fc.record({
  symbol,
  id: fc.integer({ min: 1, max: 6 }).map((i) => 8_797_000_000 + i * 100),
  side: fc.constantFrom('Buy', 'Sell'),
  size: fc.integer({ min: 1, max: 1000 }),
  price: fc.integer({ min: 0, max: 12 }).map((p) => 100 + p / 2),
});
const l2Patch = fc.record(
  {
    symbol,
    id: fc.integer({ min: 1, max: 6 }).map((i) => 8_797_000_000 + i * 100),
    side: fc.constantFrom('Buy', 'Sell'),
    size: fc.integer({ min: 1, max: 1000 }),
    price: fc.integer({ min: 0, max: 12 }).map((p) => 100 + p / 2),
    timestamp: fc.constantFrom('2024-01-01T00:00:00.000Z', '2024-01-01T00:00:01.000Z'),
  },
  { requiredKeys: ['symbol', 'id', 'side'] },
);
const thingFull = fc.record({ symbol, n: fc.integer({ min: 1, max: 4 }), v: fc.integer(), w: fc.string({ maxLength: 3 }) });
const thingPatch = fc.record({ symbol, n: fc.integer({ min: 1, max: 4 }), v: fc.integer(), w: fc.string({ maxLength: 3 }) }, { requiredKeys: ['symbol', 'n'] });

const table = fc.constantFrom(...TABLES);
const filter: fc.Arbitrary<Filter> = fc.oneof({ weight: 4, arbitrary: symbol.map((s) => ({ symbol: s })) }, { weight: 1, arbitrary: fc.constant({}) });
const full = (t: string): fc.Arbitrary<Row> => (t === 'thing' ? thingFull : l2Full);
const patch = (t: string): fc.Arbitrary<Row> => (t === 'thing' ? thingPatch : l2Patch);

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.tuple(table, filter).chain(([t, f]) =>
      fc.array(full(t), { maxLength: 8 }).map((rows): Op => ({
        kind: 'partial',
        table: t,
        filter: f,
        // A partial for one symbol carries only that symbol's rows.
        rows: typeof f.symbol === 'string' ? rows.map((r) => ({ ...r, symbol: f.symbol })) : rows,
      })),
    ),
  },
  { weight: 4, arbitrary: table.chain((t) => fc.array(full(t), { minLength: 1, maxLength: 3 }).map((rows): Op => ({ kind: 'insert', table: t, rows }))) },
  { weight: 8, arbitrary: table.chain((t) => fc.array(patch(t), { minLength: 1, maxLength: 3 }).map((rows): Op => ({ kind: 'update', table: t, rows }))) },
  { weight: 3, arbitrary: table.chain((t) => fc.array(patch(t), { minLength: 1, maxLength: 3 }).map((rows): Op => ({ kind: 'delete', table: t, rows }))) },
  { weight: 1, arbitrary: fc.tuple(table, filter).map(([t, f]): Op => ({ kind: 'clear', table: t, filter: f })) },
);

/** The naive model: per table, the received filters and an array of rows. */
class Model {
  readonly tables = new Map<string, { filters: Filter[]; rows: Row[] }>();
  private matches = (f: Filter, r: Row): boolean => Object.keys(f).every((k) => r[k] === f[k]);
  private key = (t: string, r: Row): string => makeKey(t, r, KEYS[t]);

  /** Applies an op; returns what the reducer should report. */
  apply(o: Op): { changed: Row[]; skipped: number; inconsistent: number } {
    const res = { changed: [] as Row[], skipped: 0, inconsistent: 0 };
    let t = this.tables.get(o.table);
    if (o.kind === 'clear') {
      if (t === undefined) return res;
      t.rows = t.rows.filter((r) => !this.matches(o.filter, r));
      t.filters = t.filters.filter((f) => !this.matches(o.filter, f));
      if (t.filters.length === 0) this.tables.delete(o.table);
      return res;
    }
    if (o.kind === 'partial') {
      if (t === undefined) this.tables.set(o.table, (t = { filters: [], rows: [] }));
      t.rows = t.rows.filter((r) => !this.matches(o.filter, r));
      if (!t.filters.some((f) => JSON.stringify(f) === JSON.stringify(o.filter))) t.filters.push(o.filter);
      for (const r of o.rows) this.put(o.table, t.rows, r);
      res.changed = o.rows;
      return res;
    }
    for (const r of o.rows) {
      const accepted = t !== undefined && t.filters.some((f) => this.matches(f, r));
      const i = t === undefined ? -1 : t.rows.findIndex((x) => this.key(o.table, x) === this.key(o.table, r));
      if (o.kind === 'insert') {
        if (!accepted || t === undefined) res.skipped++;
        else {
          // A key already held: applied, and reported (the image missed a delete).
          if (i >= 0) res.inconsistent++;
          this.put(o.table, t.rows, r);
          res.changed.push(r);
        }
      } else if (i < 0 || t === undefined) {
        if (accepted) res.inconsistent++;
        else res.skipped++;
      } else if (o.kind === 'update') {
        const merged = { ...t.rows[i], ...r };
        t.rows[i] = merged;
        res.changed.push(merged);
      } else {
        res.changed.push(t.rows[i] as Row);
        t.rows.splice(i, 1);
      }
    }
    return res;
  }

  private put(table: string, rows: Row[], r: Row): void {
    const i = rows.findIndex((x) => this.key(table, x) === this.key(table, r));
    if (i >= 0) rows[i] = r;
    else rows.push(r);
  }

  rows(table: string): Row[] {
    return this.tables.get(table)?.rows ?? [];
  }

  top(symbol: string, table: string = 'orderBookL2'): Top {
    const rows = this.rows(table).filter((r) => r.symbol === symbol);
    const level = (r: Row): BookLevel => ({ price: r.price as number, size: r.size as number, id: r.id as number });
    const side = (s: string, dir: number): BookLevel[] =>
      rows
        .filter((r) => r.side === s)
        .map(level)
        .sort((a, b) => dir * (a.price - b.price) || (a.id as number) - (b.id as number))
        .slice(0, DEPTH);
    return { bids: side('Buy', -1), asks: side('Sell', 1) };
  }
}

const byJson = (rows: readonly Row[]): string[] => rows.map((r) => JSON.stringify(Object.entries(r).sort())).sort();

function toFrame(o: Exclude<Op, { kind: 'clear' }>): TableFrame {
  const base = { table: o.table, data: o.rows };
  // Through JSON, as off the socket (the reducer adopts and freezes the rows it is given).
  return JSON.parse(JSON.stringify(o.kind === 'partial' ? { ...base, action: 'partial', keys: KEYS[o.table], filter: o.filter } : { ...base, action: o.kind }));
}

describe('reducer vs naive model', () => {
  it('agree on rows, top-N books and reports; emitted values never change', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), fc.integer(), (ops, seed) => {
        const model = new Model();
        // Every state of the run, with the model's image at that step, read again afterwards.
        const history: { state: TablesState; rows: Record<string, string[]>; tops: Top[]; tops25: Top[] }[] = [];
        let state: TablesState = emptyTables();
        const views = SYMBOLS.map((s) => createBookView(s, { depth: DEPTH, table: 'orderBookL2' }));
        const lastView: (BookSnapshot | undefined)[] = SYMBOLS.map(() => undefined);
        const emitted: { value: object; clone: unknown }[] = [];
        for (const o of ops) {
          const prev = state;
          const expected = model.apply(o);
          state = o.kind === 'clear' ? clearImage(state, o.table, o.filter) : reduceTables(state, toFrame(o));
          void prev;
          history.push({
            state,
            rows: Object.fromEntries(TABLES.map((t) => [t, byJson(model.rows(t))])),
            tops: SYMBOLS.map((s) => model.top(s)),
            tops25: SYMBOLS.map((s) => model.top(s, 'orderBookL2_25')),
          });

          if (o.kind !== 'clear') {
            const changed = state.changes.flatMap((c) => c.rows);
            expect(byJson(changed)).toEqual(byJson(expected.changed));
            expect(state.skipped.reduce((n, c) => n + c.rows.length, 0)).toBe(expected.skipped);
            expect(state.inconsistencies).toHaveLength(expected.inconsistent);
            for (const c of state.changes) for (const r of c.rows) emitted.push({ value: r, clone: structuredClone(r) });
          }
          for (const t of TABLES) expect(byJson(rowsOf(state, t))).toEqual(byJson(model.rows(t)));
          for (const t of BOOK_TABLES) for (const s of SYMBOLS) expect(byJson(rowsOf(state, t, s))).toEqual(byJson(model.rows(t).filter((r) => r.symbol === s)));
          SYMBOLS.forEach((s) => {
            const book25 = bookOf(state, s, { depth: DEPTH, table: 'orderBookL2_25' });
            if (book25 === undefined) expect(model.rows('orderBookL2_25').filter((r) => r.symbol === s)).toEqual([]);
            else expect({ bids: book25.bids, asks: book25.asks }).toEqual(model.top(s, 'orderBookL2_25'));
          });

          SYMBOLS.forEach((s, i) => {
            const book = bookOf(state, s, { depth: DEPTH, table: 'orderBookL2' });
            const fromView = (views[i] as { next(st: TablesState): BookSnapshot | undefined }).next(state);
            if (book === undefined) {
              expect(model.rows('orderBookL2').filter((r) => r.symbol === s)).toEqual([]);
              expect(fromView).toBeUndefined();
              lastView[i] = undefined;
              return;
            }
            emitted.push({ value: book, clone: structuredClone(book) });
            expect({ bids: book.bids, asks: book.asks }).toEqual(model.top(s));
            if (fromView !== undefined) {
              lastView[i] = fromView;
              emitted.push({ value: fromView, clone: structuredClone(fromView) });
            }
            // The view's latest snapshot shows the current top N.
            expect({ bids: lastView[i]?.bids, asks: lastView[i]?.asks }).toEqual(model.top(s));
          });
        }
        // Afterwards, every state in random order: each still reads as the model did at its step,
        // and book views fed states out of order still show the right top.
        const order = history.map((_, i) => i);
        let x = seed >>> 0;
        for (let i = order.length - 1; i > 0; i--) {
          x = (Math.imul(x, 1103515245) + 12345) >>> 0;
          const j = x % (i + 1);
          [order[i], order[j]] = [order[j] as number, order[i] as number];
        }
        const lateViews = SYMBOLS.map((s) => createBookView(s, { depth: DEPTH, table: 'orderBookL2' }));
        const lateLast: (BookSnapshot | undefined)[] = SYMBOLS.map(() => undefined);
        for (const i of order) {
          const h = history[i] as (typeof history)[number];
          for (const t of TABLES) expect(byJson(rowsOf(h.state, t))).toEqual(h.rows[t]);
          SYMBOLS.forEach((s, k) => {
            const book25 = bookOf(h.state, s, { depth: DEPTH, table: 'orderBookL2_25' });
            if (book25 !== undefined) expect({ bids: book25.bids, asks: book25.asks }).toEqual(h.tops25[k]);
            else expect(h.tops25[k]).toEqual({ bids: [], asks: [] });
          });
          SYMBOLS.forEach((s, k) => {
            const book = bookOf(h.state, s, { depth: DEPTH, table: 'orderBookL2' });
            const fromView = (lateViews[k] as { next(st: TablesState): BookSnapshot | undefined }).next(h.state);
            if (book === undefined) {
              expect(fromView).toBeUndefined();
              lateLast[k] = undefined;
              return;
            }
            expect({ bids: book.bids, asks: book.asks }).toEqual(h.tops[k]);
            if (fromView !== undefined) lateLast[k] = fromView;
            expect({ bids: lateLast[k]?.bids, asks: lateLast[k]?.asks }).toEqual(h.tops[k]);
          });
        }
        for (const e of emitted) {
          expect(e.value).toEqual(e.clone);
          expect(Object.isFrozen(e.value)).toBe(true);
          if ('bids' in e.value) {
            const snap = e.value as BookSnapshot;
            expect(Object.isFrozen(snap.bids) && Object.isFrozen(snap.asks)).toBe(true);
            expect([...snap.bids, ...snap.asks].every((l) => Object.isFrozen(l))).toBe(true);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});

/**
 * Property test of a deep book view against a fresh sort: books of up to ~240 levels (beyond
 * the sides' 64-entry cached heads), random frames of inserts, same-price and price-moving
 * updates, deletes near the top and at the cached head's edge, and partials; after every frame
 * the view (depth 25, and 70: deeper than the default head) and bookOf equal the levels sorted
 * from a plain map, the view emits exactly when its top changed, and it reuses a side's frozen
 * array when that side's top did not change.
 */
import fc from 'fast-check';
import type { Row, TableFrame } from '../../lib/protocol/frames';
import { bookOf, createBookView, emptyTables, reduceTables } from '../../lib/reducer/reducer';
import type { BookLevel, BookSnapshot, TablesState } from '../../lib/reducer/reducer';

const SYMBOL = 'XBTUSD';

interface Level {
  price: number;
  size: number;
  readonly side: 'Buy' | 'Sell';
}

type Step =
  | { kind: 'partial'; n: number }
  | { kind: 'insert' | 'update' | 'move' | 'delete'; picks: number[]; prices: number[]; sizes: number[] };

const pickList = fc.array(fc.nat(), { minLength: 1, maxLength: 4 });
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('partial' as const), n: fc.integer({ min: 0, max: 240 }) }) },
  ...(['insert', 'update', 'move', 'delete'] as const).map((kind) => ({
    weight: kind === 'update' ? 6 : 3,
    arbitrary: fc.record({
      kind: fc.constant(kind),
      picks: pickList,
      prices: fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 4, maxLength: 4 }),
      sizes: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 4, maxLength: 4 }),
    }),
  })),
);

/** Best first: bids by price descending, asks ascending; ties by id. */
interface Want {
  readonly price: number;
  readonly size: number;
  readonly id: number;
}

function sorted(levels: Map<number, Level>, side: 'Buy' | 'Sell', depth: number): Want[] {
  const out = [...levels].filter(([, l]) => l.side === side).map(([id, l]) => ({ price: l.price, size: l.size, id }));
  out.sort((a, b) => (side === 'Buy' ? b.price - a.price : a.price - b.price) || a.id - b.id);
  return out.slice(0, depth);
}

const row = (id: number, l: Level): Row => ({ symbol: SYMBOL, id, side: l.side, size: l.size, price: l.price / 2, timestamp: '2024-01-01T00:00:00.000Z' });
const frame = (action: TableFrame['action'], data: Row[]): TableFrame =>
  (action === 'partial'
    ? { table: 'orderBookL2', action, keys: ['symbol', 'id', 'side'], filter: { symbol: SYMBOL }, data }
    : { table: 'orderBookL2', action, data }) as TableFrame;

describe('book view over deep books', () => {
  it('equals a fresh sort after every frame, emitting exactly on changes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 240 }), fc.array(step, { minLength: 60, maxLength: 120 }), (n, rest) => {
        const steps: Step[] = [{ kind: 'partial', n }, ...rest];
        let state: TablesState = emptyTables();
        const levels = new Map<number, Level>();
        let nextId = 1;
        const views = [25, 70].map((depth) => ({ depth, view: createBookView(SYMBOL, { depth }), last: undefined as BookSnapshot | undefined }));
        let ready = false;
        for (const s of steps) {
          if (s.kind === 'partial') {
            levels.clear();
            const data: Row[] = [];
            for (let i = 0; i < s.n; i++) {
              // Asks above 100 (price units of 0.5), bids below, some sharing a price.
              const side = i % 2 === 0 ? 'Buy' : 'Sell';
              const l: Level = { side, price: side === 'Buy' ? 200 - (i % 97) : 201 + (i % 89), size: 1 + (i % 5) };
              levels.set(nextId, l);
              data.push(row(nextId++, l));
            }
            state = reduceTables(state, frame('partial', data));
            ready = true;
          } else {
            if (!ready) continue;
            const ids = [...levels.keys()];
            const data: Row[] = [];
            const used = new Set<number>();
            s.picks.forEach((p, k) => {
              const price = s.prices[k] as number;
              const size = s.sizes[k] as number;
              if (s.kind === 'insert') {
                const side = p % 2 === 0 ? 'Buy' : 'Sell';
                const l: Level = { side, price: side === 'Buy' ? Math.min(price, 200) : Math.max(price, 201), size };
                levels.set(nextId, l);
                data.push(row(nextId++, l));
                return;
              }
              if (ids.length === 0) return;
              // Mostly near the top of a side, where the cached head is.
              const side = p % 2 === 0 ? 'Buy' : 'Sell';
              const top = sorted(levels, side, Infinity);
              const target = top[p % 3 === 0 ? (p >> 2) % top.length : Math.min(top.length - 1, (p >> 2) % 70)] ?? top[0];
              if (target === undefined || used.has(target.id)) return;
              used.add(target.id);
              const l = levels.get(target.id) as Level;
              if (s.kind === 'delete') {
                levels.delete(target.id);
                data.push({ symbol: SYMBOL, id: target.id, side: l.side });
              } else {
                l.size = size;
                if (s.kind === 'move') l.price = l.side === 'Buy' ? Math.min(price, 200) : Math.max(price, 201);
                data.push(row(target.id, l));
              }
            });
            if (data.length === 0) continue;
            state = reduceTables(state, frame(s.kind === 'move' ? 'update' : s.kind, data));
            expect(state.inconsistencies).toEqual([]);
          }
          for (const v of views) {
            const want = { bids: sorted(levels, 'Buy', v.depth), asks: sorted(levels, 'Sell', v.depth) };
            const scaled = (ls: Want[]): Want[] => ls.map((x) => ({ ...x, price: x.price / 2 }));
            const expected = { bids: scaled(want.bids), asks: scaled(want.asks) };
            const prev = v.last;
            const snap = v.view.next(state);
            if (snap !== undefined) {
              v.last = snap;
              expect(Object.isFrozen(snap) && Object.isFrozen(snap.bids) && Object.isFrozen(snap.asks)).toBe(true);
            }
            expect({ bids: v.last?.bids, asks: v.last?.asks }).toEqual(expected);
            expect({ bids: bookOf(state, SYMBOL, { depth: v.depth })?.bids, asks: bookOf(state, SYMBOL, { depth: v.depth })?.asks }).toEqual(expected);
            if (prev !== undefined && snap !== undefined) {
              // Emitted only on a change; an unchanged side is the previous frozen array.
              const same = (a: readonly BookLevel[], b: readonly BookLevel[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
              expect(same(prev.bids, snap.bids) && same(prev.asks, snap.asks)).toBe(false);
              if (same(prev.bids, snap.bids)) expect(snap.bids).toBe(prev.bids);
              if (same(prev.asks, snap.asks)) expect(snap.asks).toBe(prev.asks);
              // A level with the same id, price and size is the same object, even where levels
              // inserted or removed above it shifted it.
              const key = (l: BookLevel): string => `${String(l.id)}/${l.price}/${l.size}`;
              const old = new Map([...prev.bids, ...prev.asks].map((l) => [key(l), l]));
              for (const l of [...snap.bids, ...snap.asks]) expect(l === (old.get(key(l)) ?? l)).toBe(true);
            }
          }
        }
      }),
      // No shrinking: sequences this long shrink for minutes; a failure prints the whole one.
      { numRuns: 25, endOnFailure: true },
    );
    // 25 long runs with a fresh sort per frame: ~15 s alone, more on a loaded machine.
  }, 60_000);
});

/**
 * Property test: frames applied to states picked at random from everything reduced so far (so
 * runs branch off older states again and again), with rows that move levels to other prices,
 * inserts of ids stored elsewhere, and updates and deletes without a price (found by id, as in
 * pre-2023 recordings). Each state must read as a naive model of its own history says.
 */
import fc from 'fast-check';
import type { Row, TableFrame } from '../../lib/protocol/frames';
import { bookOf, emptyTables, reduceTables, rowsOf } from '../../lib/reducer/reducer';
import type { TablesState } from '../../lib/reducer/reducer';

type Side = 'Buy' | 'Sell';
/** A model book: row by side and id. */
type Model = ReadonlyMap<string, Row>;

/** `top`: a delete of that many of the best levels of a side (its first rows), given by id only. */
type Step = { from: number; action: 'insert' | 'update' | 'delete'; rows: Row[]; top?: number };

/** Rows over `ids` ids and `prices` prices, frames of up to `most` rows. */
function arbitraries(ids: number, prices: number, most: number) {
  const id = fc.integer({ min: 0, max: ids - 1 }).map((i) => 8_797_000_000 + i * 100);
  const side = fc.constantFrom<Side>('Buy', 'Sell');
  const price = fc.integer({ min: 0, max: prices - 1 }).map((p) => 100 + p / 2);
  const full = fc.record({ id, side, size: fc.integer({ min: 1, max: 99 }), price });
  const patch = fc.record({ id, side, size: fc.integer({ min: 1, max: 99 }), price }, { requiredKeys: ['id', 'side'] });
  const step: fc.Arbitrary<Step> = fc
    .record({
      from: fc.nat(),
      action: fc.constantFrom<'insert' | 'update' | 'delete'>('insert', 'insert', 'update', 'update', 'delete'),
      rows: fc.array(patch, { minLength: 1, maxLength: most, size: 'max' }),
      top: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: most })),
    })
    .chain((s) => (s.action === 'insert' ? fc.array(full, { minLength: 1, maxLength: most, size: 'max' }).map((rows) => ({ ...s, rows })) : fc.constant(s)));
  return { full, step };
}

const keyOf = (r: Row): string => `${r.side as string}:${r.id as number}`;

/** Applies a frame to a model; returns the next model and the number of rows the reducer reports. */
function applyModel(m: Model, s: Step): { next: Model; bad: number } {
  const next = new Map(m);
  let bad = 0;
  for (const r of s.rows) {
    const k = keyOf(r);
    const old = next.get(k);
    if (s.action === 'insert') {
      // An insert of a level already held is applied, and reported (the image missed a delete).
      if (old !== undefined) bad++;
      next.set(k, r);
    }
    else if (old === undefined) bad++;
    else if (s.action === 'update') next.set(k, { ...old, ...r });
    else next.delete(k);
  }
  return { next, bad };
}

const sorted = (rows: readonly Row[]): string[] => rows.map((r) => JSON.stringify([r.side, r.id, r.price, r.size])).sort();

/** The whole book in order, best first, as bookOf gives it and as the model says. */
function ordered(state: TablesState): unknown {
  const b = bookOf(state, 'XBTUSD', { depth: 1000 });
  return { bids: b?.bids.map((l) => [l.price, l.id, l.size]) ?? [], asks: b?.asks.map((l) => [l.price, l.id, l.size]) ?? [] };
}
function modelOrdered(m: Model): unknown {
  const side = (name: Side, dir: number): unknown[] =>
    [...m.values()]
      .filter((r) => r.side === name)
      .sort((a, b) => dir * ((a.price as number) - (b.price as number)) || (a.id as number) - (b.id as number))
      .map((r) => [r.price, r.id, r.size]);
  return { bids: side('Buy', -1), asks: side('Sell', 1) };
}

describe('branches off older states', () => {
  // Small books; and books of up to ~100 levels per side, whose best rows move between the
  // head leaf and the tree behind it as levels come and go.
  it.each([
    ['small books', 12, 9, 3, 12, 300],
    ['books deeper than their head', 60, 50, 24, 120, 60],
  ])('%s: every state reads as its own history says, whatever was reduced from its ancestors since', (_, ids, prices, most, partialRows, runs) => {
    const { full, step } = arbitraries(ids, prices, most);
    fc.assert(
      fc.property(fc.array(full, { maxLength: partialRows, size: 'max' }), fc.array(step, { minLength: 1, maxLength: 40 }), (partial, steps) => {
        const data = partial.map((r) => ({ symbol: 'XBTUSD', ...r }));
        const first = reduceTables(emptyTables(), { table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol: 'XBTUSD' }, data: JSON.parse(JSON.stringify(data)) as Row[] });
        const seen: { state: TablesState; model: Model }[] = [{ state: first, model: applyModel(new Map(), { from: 0, action: 'insert', rows: data }).next }];
        for (const s of steps) {
          const at = seen[s.from % seen.length] as { state: TablesState; model: Model };
          let rows = s.rows.map((r) => ({ symbol: 'XBTUSD', ...r }));
          if (s.action === 'delete' && s.top !== undefined && s.top > 0) {
            const { bids, asks } = modelOrdered(at.model) as Record<string, [number, number, number][]>;
            const name = s.rows[0]?.side === 'Buy' ? 'Buy' : 'Sell';
            rows = ((name === 'Buy' ? bids : asks) ?? []).slice(0, s.top).map(([, id]) => ({ symbol: 'XBTUSD', id, side: name }));
            if (rows.length === 0) continue;
          }
          const { next, bad } = applyModel(at.model, { ...s, rows });
          const state = reduceTables(at.state, JSON.parse(JSON.stringify({ table: 'orderBookL2', action: s.action, data: rows })) as TableFrame);
          expect(state.inconsistencies).toHaveLength(bad);
          expect(sorted(rowsOf(state, 'orderBookL2'))).toEqual(sorted([...next.values()]));
          expect(ordered(state)).toEqual(modelOrdered(next));
          seen.push({ state, model: next });
        }
        for (const { state, model } of seen) expect(ordered(state)).toEqual(modelOrdered(model));
      }),
      { numRuns: runs },
    );
  });
});

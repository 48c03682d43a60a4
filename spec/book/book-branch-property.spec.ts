/**
 * Property test: frames applied to states picked at random from everything reduced so far (so
 * runs branch off older states again and again), with rows that move levels to other prices,
 * inserts of ids stored elsewhere, and updates and deletes without a price (found by id, as in
 * pre-2023 recordings). Each state must read as a naive model of its own history says.
 */
import fc from 'fast-check';
import type { Row, TableFrame } from '../../lib/protocol/frames';
import { emptyTables, reduceTables, rowsOf } from '../../lib/reducer/reducer';
import type { TablesState } from '../../lib/reducer/reducer';

type Side = 'Buy' | 'Sell';
/** A model book: row by side and id. */
type Model = ReadonlyMap<string, Row>;

const id = fc.integer({ min: 0, max: 11 }).map((i) => 8_797_000_000 + i * 100);
const side = fc.constantFrom<Side>('Buy', 'Sell');
const price = fc.integer({ min: 0, max: 8 }).map((p) => 100 + p / 2);
const full = fc.record({ id, side, size: fc.integer({ min: 1, max: 99 }), price });
const patch = fc.record({ id, side, size: fc.integer({ min: 1, max: 99 }), price }, { requiredKeys: ['id', 'side'] });

type Step = { from: number; action: 'insert' | 'update' | 'delete'; rows: Row[] };
const step: fc.Arbitrary<Step> = fc.record({
  from: fc.nat(),
  action: fc.constantFrom<'insert' | 'update' | 'delete'>('insert', 'insert', 'update', 'update', 'delete'),
  rows: fc.array(patch, { minLength: 1, maxLength: 3 }),
}).chain((s) => (s.action === 'insert' ? fc.array(full, { minLength: 1, maxLength: 3 }).map((rows) => ({ ...s, rows })) : fc.constant(s)));

const keyOf = (r: Row): string => `${r.side as string}:${r.id as number}`;

/** Applies a frame to a model; returns the next model and the number of rows it cannot apply. */
function applyModel(m: Model, s: Step): { next: Model; bad: number } {
  const next = new Map(m);
  let bad = 0;
  for (const r of s.rows) {
    const k = keyOf(r);
    const old = next.get(k);
    if (s.action === 'insert') next.set(k, r);
    else if (old === undefined) bad++;
    else if (s.action === 'update') next.set(k, { ...old, ...r });
    else next.delete(k);
  }
  return { next, bad };
}

const sorted = (rows: readonly Row[]): string[] => rows.map((r) => JSON.stringify([r.side, r.id, r.price, r.size])).sort();

describe('branches off older states', () => {
  it('every state reads as its own history says, whatever was reduced from its ancestors since', () => {
    fc.assert(
      fc.property(fc.array(full, { maxLength: 12 }), fc.array(step, { minLength: 1, maxLength: 40 }), (partial, steps) => {
        const data = partial.map((r) => ({ symbol: 'XBTUSD', ...r }));
        const first = reduceTables(emptyTables(), { table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol: 'XBTUSD' }, data: JSON.parse(JSON.stringify(data)) as Row[] });
        const seen: { state: TablesState; model: Model }[] = [{ state: first, model: applyModel(new Map(), { from: 0, action: 'insert', rows: data }).next }];
        for (const s of steps) {
          const at = seen[s.from % seen.length] as { state: TablesState; model: Model };
          const rows = s.rows.map((r) => ({ symbol: 'XBTUSD', ...r }));
          const { next, bad } = applyModel(at.model, { ...s, rows });
          const state = reduceTables(at.state, JSON.parse(JSON.stringify({ table: 'orderBookL2', action: s.action, data: rows })) as TableFrame);
          expect(state.inconsistencies).toHaveLength(bad);
          expect(sorted(rowsOf(state, 'orderBookL2'))).toEqual(sorted([...next.values()]));
          seen.push({ state, model: next });
        }
        for (const { state, model } of seen) expect(sorted(rowsOf(state, 'orderBookL2'))).toEqual(sorted([...model.values()]));
      }),
      { numRuns: 300 },
    );
  });
});

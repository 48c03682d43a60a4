/**
 * Property test of grouping over reducer states, as `book$` with `group` does it (`bookOf$`):
 * deep books changed by random frames through the reducer, the states visited mostly in order
 * but sometimes jumping back or ahead (the view compares any two versions by identity), at
 * several groupings and depths, sizes in whole contracts or not, with and without totals. After
 * each state the last snapshot emitted equals an independent aggregation of that version's
 * levels; a state emits exactly when a visible bucket changed; unchanged buckets are the same
 * objects.
 */
import fc from 'fast-check';
import { Subject } from 'rxjs';
import { bookOf$, type DepthLevel, type DepthSnapshot, type TablesState } from '../../lib';
import { history, op, priceOf, sortedSide, SYMBOL, type Level, type SideName } from '../support/book-history';

/** The independent aggregation of one side: [price, size, cumSize] per bucket, best first. */
function oracle(levels: ReadonlyMap<number, Level>, side: SideName, groupTicks: number, depth: number): [number, number, number][] {
  const buy = side === 'Buy';
  const sums = new Map<number, number>();
  for (const l of sortedSide(levels, side)) {
    const b = (buy ? Math.floor(l.ticks / groupTicks) : Math.ceil(l.ticks / groupTicks)) * groupTicks;
    sums.set(b, (sums.get(b) ?? 0) + l.size);
  }
  let cum = 0;
  return [...sums.keys()]
    .sort((a, b) => (buy ? b - a : a - b))
    .slice(0, depth)
    .map((b) => {
      const size = sums.get(b) as number;
      cum += size;
      return [priceOf(b), size, cum];
    });
}

const shape = (levels: readonly DepthLevel[], cumulative: boolean): [number, number, number | undefined][] =>
  levels.map((l) => [l.price, l.size, cumulative ? l.cumSize : undefined]);

describe('grouped book over reducer states (property)', () => {
  it('equals an independent aggregation of each state it is given, in any order, emitting exactly on visible changes', () => {
    fc.assert(
      fc.property(
        fc.record({
          n: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 500, max: 2500 })),
          spread: fc.integer({ min: 1, max: 3000 }),
          frames: fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 30 }),
          per: fc.constantFrom(1, 1, 3), // whole contracts, or thirds
          groupTicks: fc.constantFrom(1, 2, 5, 20, 100), // 0.5 .. 50
          depth: fc.integer({ min: 1, max: 30 }),
          cumulative: fc.boolean(),
          // -1: the next state; otherwise a jump to any state.
          visits: fc.array(fc.oneof({ weight: 4, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat() }), { minLength: 1, maxLength: 50 }),
        }),
        ({ n, spread, frames, per, groupTicks, depth, cumulative, visits }) => {
          const { states, levels } = history(n, spread, frames, per);
          const input = new Subject<TablesState>();
          const emitted: DepthSnapshot[] = [];
          const sub = input.pipe(bookOf$(SYMBOL, { group: priceOf(groupTicks), tickSize: 0.5, depth, cumulative })).subscribe((s) => emitted.push(s));
          let at = 0;
          let shown: DepthSnapshot | undefined;
          for (const v of [0, ...visits]) {
            at = v === -1 ? Math.min(at + 1, states.length - 1) : v % states.length;
            const before = emitted.length;
            input.next(states[at] as TablesState);
            const next = emitted.length > before ? emitted[emitted.length - 1] : undefined;
            expect(emitted.length - before).toBeLessThanOrEqual(1);
            const version = levels[at] as Map<number, Level>;
            const want = (['Buy', 'Sell'] as const).map((side) => oracle(version, side, groupTicks, depth).map(([p, s, c]) => [p, s, cumulative ? c : undefined]));
            const now = next ?? shown;
            expect(now).toBeDefined();
            expect([shape((now as DepthSnapshot).bids, cumulative), shape((now as DepthSnapshot).asks, cumulative)]).toEqual(want);
            if (shown !== undefined) {
              const unchanged = JSON.stringify(want) === JSON.stringify([shape(shown.bids, cumulative), shape(shown.asks, cumulative)]);
              expect(next === undefined).toBe(unchanged);
              // Unchanged buckets are the same objects; an unchanged side, the same array.
              for (const [was, is] of [[shown.bids, (now as DepthSnapshot).bids], [shown.asks, (now as DepthSnapshot).asks]] as const) {
                for (const l of is) {
                  const old = was.find((w) => w.price === l.price);
                  if (old !== undefined && old.size === l.size && old.cumSize === l.cumSize) expect(l).toBe(old);
                }
                if (JSON.stringify(shape(was, cumulative)) === JSON.stringify(shape(is, cumulative))) expect(is).toBe(was);
              }
            }
            shown = now;
          }
          sub.unsubscribe();
        },
      ),
      { numRuns: 60 },
    );
  });
});

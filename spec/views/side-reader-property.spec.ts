/**
 * Property test of how a grouped book reads the persistent book (lib/views/side-reader): books
 * deep enough for two and three tree levels are changed by random frames through the reducer
 * (inserts, same-price updates, moves, deletes, several levels sharing a price), every version
 * is kept, and then, against plain arrays sorted by the test:
 * - a side cursor seeking to any price (or to the best) walks exactly the levels at or past it,
 *   in book order, in old versions as well as new;
 * - the changes between any two versions (older or newer, next to each other or far apart), up
 *   to any horizon, are exactly at the prices where a level was added, removed or updated, and
 *   add up there to the difference in size and in number of levels.
 * Internal: `book$` with `group` reaches these only through a client (see the simulator spec),
 * where a missed change past the first leaves would take many frames to show.
 */
import fc from 'fast-check';
import { LevelChanges } from '../../lib/views/level-cursor';
import { changedLevels, SideCursor } from '../../lib/views/side-reader';
import type { L2Book } from '../../lib/book/l2-book';
import { history, op, priceOf, sortedSide, type Level, type SideName } from '../support/book-history';

/**
 * Prices (as ticks) whose levels differ between two versions (added, removed, or updated), each
 * with the difference in total size and in number of levels there.
 */
function changedTicks(a: ReadonlyMap<number, Level>, b: ReadonlyMap<number, Level>, side: SideName): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  const note = (ticks: number, size: number, count: number): void => {
    const was = out.get(ticks) ?? [0, 0];
    out.set(ticks, [was[0] + size, was[1] + count]);
  };
  for (const [id, l] of a) {
    if (l.side !== side) continue;
    const m = b.get(id);
    if (m === undefined || m.side !== side || m.ticks !== l.ticks || m.rev !== l.rev) note(l.ticks, -l.size, -1);
  }
  for (const [id, m] of b) {
    if (m.side !== side) continue;
    const l = a.get(id);
    if (l === undefined || l.side !== side || l.ticks !== m.ticks || l.rev !== m.rev) note(m.ticks, m.size, 1);
  }
  return out;
}

const scenario = fc.record({
  n: fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 500, max: 2500 })),
  spread: fc.integer({ min: 1, max: 3000 }),
  frames: fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 30 }),
  checks: fc.array(fc.record({ from: fc.nat(), to: fc.nat(), horizon: fc.option(fc.integer({ min: -10, max: 3100 })), seek: fc.option(fc.integer({ min: -10, max: 3100 })) }), {
    minLength: 1,
    maxLength: 12,
  }),
});

describe('side reader (property)', () => {
  it('seeks by price and walks every level in order, in any version', () => {
    fc.assert(
      fc.property(scenario, ({ n, spread, frames, checks }) => {
        const { books, levels } = history(n, spread, frames);
        const cursor = new SideCursor();
        for (const c of checks) {
          const v = c.from % books.length;
          const book = books[v] as L2Book;
          for (const side of ['Buy', 'Sell'] as const) {
            const buy = side === 'Buy';
            cursor.reset(buy ? book.bids : book.asks);
            const at = c.seek === null ? undefined : buy ? 4000 - c.seek : 4001 + c.seek;
            cursor.seek(at === undefined ? undefined : priceOf(at));
            const got: [number, number][] = [];
            while (cursor.next()) got.push([cursor.price, cursor.size]);
            expect(cursor.next()).toBe(false);
            const want = sortedSide(levels[v] as Map<number, Level>, side)
              .filter((l) => at === undefined || (buy ? l.ticks <= at : l.ticks >= at))
              .map((l): [number, number] => [priceOf(l.ticks), l.size]);
            expect(got).toEqual(want);
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('finds exactly the levels that changed between any two versions, up to any horizon, with their differences', () => {
    fc.assert(
      fc.property(scenario, ({ n, spread, frames, checks }) => {
        const { books, levels } = history(n, spread, frames);
        for (const c of checks) {
          const i = c.from % books.length;
          const j = c.to % books.length;
          for (const side of ['Buy', 'Sell'] as const) {
            const buy = side === 'Buy';
            const a = books[i] as L2Book;
            const b = books[j] as L2Book;
            // The horizon as the side's key: dir * price of the last price of interest.
            const last = c.horizon === null ? undefined : buy ? 4000 - c.horizon : 4001 + c.horizon;
            const maxKey = last === undefined ? Infinity : (buy ? -1 : 1) * priceOf(last);
            const out = new LevelChanges();
            changedLevels(buy ? a.bids : a.asks, buy ? b.bids : b.asks, maxKey, out);
            const got = new Map<number, [number, number]>();
            for (let k = 0; k < out.n; k++) {
              const p = out.prices[k] as number;
              const was = got.get(p) ?? [0, 0];
              got.set(p, [was[0] + (out.sizes[k] as number), was[1] + (out.counts[k] as number)]);
            }
            const want = [...changedTicks(levels[i] as Map<number, Level>, levels[j] as Map<number, Level>, side)]
              .filter(([t]) => last === undefined || (buy ? t >= last : t <= last))
              .map(([t, d]): [number, [number, number]] => [priceOf(t), d]);
            const byPrice = (x: [number, unknown], y: [number, unknown]): number => x[0] - y[0];
            expect([...got].sort(byPrice)).toEqual(want.sort(byPrice));
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});

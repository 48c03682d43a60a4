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
import type { Row, TableFrame } from '../../lib/protocol/frames';
import { emptyTables, reduceTables, type TablesState } from '../../lib/reducer/reducer';
import { bookIn, findTable, tablesIn } from '../../lib/reducer/state';
import type { L2Book } from '../../lib/book/l2-book';
import { LevelChanges } from '../../lib/views/level-cursor';
import { changedLevels, SideCursor } from '../../lib/views/side-reader';

const SYMBOL = 'XBTUSD';
type SideName = 'Buy' | 'Sell';

/** A level as the test keeps it; `rev` counts its updates (each one a new row in the book). */
interface Level {
  readonly id: number;
  readonly side: SideName;
  readonly ticks: number;
  readonly size: number;
  readonly rev: number;
}

/** Bids at or below tick 4000, asks above; a tick is 0.5. */
const priceOf = (ticks: number): number => ticks / 2;

const row = (l: Level): Row => ({ symbol: SYMBOL, id: l.id, side: l.side, size: l.size, price: priceOf(l.ticks) });
const frame = (action: TableFrame['action'], data: Row[]): TableFrame =>
  (action === 'partial'
    ? { table: 'orderBookL2', action, keys: ['symbol', 'id', 'side'], filter: { symbol: SYMBOL }, data }
    : { table: 'orderBookL2', action, data }) as TableFrame;

/** One side best first (bids high to low, asks low to high), ties by id: the book's order. */
function sortedSide(levels: ReadonlyMap<number, Level>, side: SideName): Level[] {
  const out = [...levels.values()].filter((l) => l.side === side);
  out.sort((a, b) => (side === 'Buy' ? b.ticks - a.ticks : a.ticks - b.ticks) || a.id - b.id);
  return out;
}

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

function bookOfState(state: TablesState): L2Book {
  const t = findTable(tablesIn(state), 'orderBookL2');
  const book = t === undefined ? undefined : bookIn(t, SYMBOL);
  if (book === undefined) throw new Error('no book');
  return book;
}

type Op = { kind: 'insert' | 'update' | 'move' | 'delete'; buy: boolean; pick: number; ticks: number; size: number };
const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('insert' as const, 'update' as const, 'update' as const, 'move' as const, 'delete' as const),
  buy: fc.boolean(),
  pick: fc.nat(),
  ticks: fc.integer({ min: 0, max: 3000 }),
  size: fc.integer({ min: 1, max: 9 }),
});

/** A partial of `n` levels a side, then random frames; every version with the test's levels. */
function history(n: number, spread: number, frames: readonly Op[][]): { books: L2Book[]; levels: Map<number, Level>[] } {
  let nextId = 1;
  const levels = new Map<number, Level>();
  for (let i = 0; i < n; i++) {
    // Several levels may share a price: `spread` ticks for n levels a side.
    const t = Math.floor((i * spread) / Math.max(1, n));
    for (const side of ['Buy', 'Sell'] as const) {
      const l: Level = { id: nextId++, side, ticks: side === 'Buy' ? 4000 - t : 4001 + t, size: 1 + (i % 7), rev: 0 };
      levels.set(l.id, l);
    }
  }
  let state = reduceTables(emptyTables(), frame('partial', [...levels.values()].map(row)));
  const books = [bookOfState(state)];
  const versions = [new Map(levels)];
  for (const ops of frames) {
    const action = ops[0]?.kind === 'insert' ? 'insert' : ops[0]?.kind === 'delete' ? 'delete' : 'update';
    const data: Row[] = [];
    const seen = new Set<number>();
    for (const o of ops) {
      const side: SideName = o.buy ? 'Buy' : 'Sell';
      const ticks = o.buy ? 4000 - o.ticks : 4001 + o.ticks;
      if (action === 'insert') {
        const l: Level = { id: nextId++, side, ticks, size: o.size, rev: 0 };
        levels.set(l.id, l);
        data.push(row(l));
        continue;
      }
      const mine = [...levels.values()].filter((l) => l.side === side && !seen.has(l.id));
      const l = mine[o.pick % Math.max(1, mine.length)];
      if (l === undefined) continue;
      seen.add(l.id);
      if (action === 'delete') {
        levels.delete(l.id);
        data.push({ symbol: SYMBOL, id: l.id, side, price: priceOf(l.ticks) });
      } else {
        const moved = o.kind === 'move' ? ticks : l.ticks;
        const m: Level = { ...l, ticks: moved, size: o.size, rev: l.rev + 1 };
        levels.set(l.id, m);
        data.push(row(m));
      }
    }
    if (data.length === 0) continue;
    state = reduceTables(state, frame(action, data));
    books.push(bookOfState(state));
    versions.push(new Map(levels));
  }
  return { books, levels: versions };
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

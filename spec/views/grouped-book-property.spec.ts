/**
 * Property test of the grouping engine's incremental path (the one `book$` with `group` uses):
 * a book on a 0.05 tick grid changes by random inserts, size changes, moves and deletes; after
 * each frame the engine, told only each changed level's price, size difference and count
 * difference (as `book$` tells it; sizes whole or not), must equal an independent
 * aggregation of the whole book (a plain map summed and sorted), at several groupings and
 * depths, with and without totals; it yields nothing exactly when no visible bucket changed,
 * and reuses every bucket whose price, size and totals are unchanged. Internal: book$ reaches
 * this path only through a live client (see the simulator property spec for that).
 */
import fc from 'fast-check';
import type { BookLevel } from '../../lib';
import { GroupedBookCore, type DepthLevel, type DepthSnapshot } from '../../lib/views/grouped-book';
import { ArrayLevelCursor, LevelChanges, type LevelCursor } from '../../lib/views/level-cursor';

const TICK = 0.05;
const tickPrice = (t: number): number => Math.round(t * 5) / 100; // exact decimal of t ticks

interface Level {
  id: number;
  ticks: number;
  size: number;
}

/** A price-sorted book kept by the test: best first per side. */
class TestBook {
  bids: Level[] = [];
  asks: Level[] = [];
  side(bid: boolean): Level[] {
    return bid ? this.bids : this.asks;
  }
  sort(): void {
    this.bids.sort((a, b) => b.ticks - a.ticks || a.id - b.id);
    this.asks.sort((a, b) => a.ticks - b.ticks || a.id - b.id);
  }
  levels(bid: boolean): BookLevel[] {
    return this.side(bid).map((l) => ({ price: tickPrice(l.ticks), size: l.size, id: l.id }));
  }
}

/** Counts the levels a cursor hands out. */
class Counting implements LevelCursor {
  reads = 0;
  constructor(private readonly inner: LevelCursor) {}
  get price(): number {
    return this.inner.price;
  }
  get size(): number {
    return this.inner.size;
  }
  seek(p: number | undefined): void {
    this.inner.seek(p);
  }
  next(): boolean {
    const ok = this.inner.next();
    if (ok) this.reads++;
    return ok;
  }
}

/** The independent aggregation: every level into a map by bucket (in ticks), sorted, cut, totalled. */
function oracle(levels: Level[], bid: boolean, groupTicks: number, depth: number): [number, number, number][] {
  const sums = new Map<number, number>();
  for (const l of levels) {
    const b = bid ? Math.floor(l.ticks / groupTicks) * groupTicks : Math.ceil(l.ticks / groupTicks) * groupTicks;
    sums.set(b, (sums.get(b) ?? 0) + l.size);
  }
  const keys = [...sums.keys()].sort((a, b) => (bid ? b - a : a - b)).slice(0, depth);
  let cum = 0;
  return keys.map((k) => {
    const s = sums.get(k) as number;
    cum += s;
    return [tickPrice(k), s, cum];
  });
}

const op = fc.record({
  kind: fc.constantFrom('insert', 'insert', 'update', 'update', 'update', 'move', 'delete', 'delete'),
  bid: fc.boolean(),
  pick: fc.nat(),
  ticks: fc.integer({ min: 0, max: 120 }),
  size: fc.integer({ min: 0, max: 50 }),
});

describe('grouping engine, incremental (property)', () => {
  it('equals an independent aggregation of the whole book after every frame', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 5, 10, 20), // group in ticks: 0.05 .. 1
        fc.integer({ min: 1, max: 8 }),
        fc.boolean(),
        fc.array(fc.array(op, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 40 }),
        fc.constantFrom(1, 1, 3), // sizes in whole contracts, or in thirds (not exact in binary)
        (groupTicks, depth, cumulative, frames, initial, per) => {
          const book = new TestBook();
          let nextId = 1;
          // Bids at or below tick 1000, asks above: the sides never cross.
          for (const t of initial) {
            book.bids.push({ id: nextId++, ticks: 1000 - t, size: 1 + (t % 7) });
            book.asks.push({ id: nextId++, ticks: 1000 + t, size: 1 + (t % 5) });
          }
          book.sort();
          const core = new GroupedBookCore({ group: tickPrice(groupTicks), tickSize: TICK, depth, cumulative });
          const bidCursor = new ArrayLevelCursor(book.levels(true), true);
          const askCursor = new ArrayLevelCursor(book.levels(false), false);
          let last = core.rebuild('S', '', bidCursor, askCursor) as DepthSnapshot;
          const check = (snap: DepthSnapshot): void => {
            for (const bid of [true, false]) {
              const want = oracle(book.side(bid), bid, groupTicks, depth);
              const got = (bid ? snap.bids : snap.asks).map((l) => [l.price, l.size, cumulative ? l.cumSize : undefined]);
              expect(got).toEqual(want.map(([p, s, c]) => [p, s, cumulative ? c : undefined]));
            }
          };
          check(last);
          for (const frame of frames) {
            const changes = [new LevelChanges(), new LevelChanges()] as const;
            for (const o of frame) {
              const side = book.side(o.bid);
              const t = o.bid ? 1000 - o.ticks : 1001 + o.ticks;
              const size = o.size / per;
              // As the book reader gives them: exact differences of whole sizes, else NaN.
              const mark = (ticks: number, was: number, is: number, dCount: number): void => {
                changes[o.bid ? 0 : 1].add(tickPrice(ticks), Number.isInteger(was) && Number.isInteger(is) ? is - was : NaN, dCount);
              };
              if (o.kind === 'insert' || side.length === 0) {
                side.push({ id: nextId++, ticks: t, size });
                mark(t, 0, size, 1);
              } else {
                const l = side[o.pick % side.length] as Level;
                if (o.kind === 'update') {
                  mark(l.ticks, l.size, size, 0);
                  l.size = size;
                } else if (o.kind === 'move') {
                  mark(l.ticks, l.size, 0, -1);
                  l.ticks = t;
                  l.size = size;
                  mark(t, 0, size, 1);
                } else {
                  mark(l.ticks, l.size, 0, -1);
                  side.splice(side.indexOf(l), 1);
                }
              }
            }
            book.sort();
            bidCursor.reset(book.levels(true));
            askCursor.reset(book.levels(false));
            const next = core.apply('S', '', bidCursor, askCursor, changes[0], changes[1]);
            const now = next ?? last;
            check(now);
            // Nothing yielded exactly when nothing visible changed.
            const same = (a: readonly DepthLevel[], b: readonly DepthLevel[]): boolean =>
              a.length === b.length && a.every((l, i) => l.price === b[i]?.price && l.size === b[i]?.size && l.cumSize === b[i]?.cumSize);
            expect(next === undefined).toBe(same(last.bids, now.bids) && same(last.asks, now.asks));
            // Unchanged buckets are the same objects.
            for (const [was, is] of [[last.bids, now.bids], [last.asks, now.asks]] as const) {
              for (const l of is) {
                const old = was.find((w) => w.price === l.price);
                if (old !== undefined && old.size === l.size && old.cumSize === l.cumSize) expect(l).toBe(old);
              }
              if (same(was, is)) expect(is).toBe(was);
            }
            last = now;
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads only the levels of the buckets it shows, and none for a change by whole contracts', () => {
    const levels: BookLevel[] = [];
    for (let i = 0; i < 10_000; i++) levels.push({ price: tickPrice(99_999 - i), size: 1, id: i });
    const bids = new Counting(new ArrayLevelCursor(levels, true));
    const asks = new Counting(new ArrayLevelCursor([], false));
    const core = new GroupedBookCore({ group: 1, tickSize: TICK, depth: 25 });
    const snap = core.rebuild('S', '', bids, asks) as DepthSnapshot;
    expect(snap.bids).toHaveLength(25);
    // 25 buckets of 20 levels, and the first level of the 26th that ends the walk.
    expect(bids.reads).toBe(25 * 20 + 1);
    // A level's size grows by 2 contracts: its bucket is updated without reading the book.
    bids.reads = 0;
    levels[9] = { ...(levels[9] as BookLevel), size: 3 };
    const change = new LevelChanges();
    change.add(tickPrice(99_990), 2, 0);
    const next = core.apply('S', '', bids, asks, change, new LevelChanges());
    expect(bids.reads).toBe(0);
    expect(next?.bids[0]).toEqual({ price: tickPrice(99_980), size: 22, id: undefined });
    // By half a contract (not a whole number): that bucket alone is summed again from the book.
    levels[9] = { ...(levels[9] as BookLevel), size: 3.5 };
    change.clear();
    change.add(tickPrice(99_990), NaN, 0);
    expect(core.apply('S', '', bids, asks, change, new LevelChanges())?.bids[0]?.size).toBe(22.5);
    expect(bids.reads).toBeLessThanOrEqual(21);
  });
});

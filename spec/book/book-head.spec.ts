/**
 * Property test of the cached head of {@link SortedMap} (what a book view reads): after every
 * add, delete, price move and clear, the cached entries are exactly the first entries of the
 * tree, and `head(limit)` gives the same as a fresh walk, across trimming at the cap, deletes at
 * the cache's edge and refills.
 */
import fc from 'fast-check';
import { HEAD_MAX, SortedMap } from '../../lib/book/sorted-map';

interface Entry {
  price: number;
  readonly id: number;
}

const byPrice = (a: Entry, b: Entry): number => a.price - b.price || a.id - b.id;

type Op =
  | { kind: 'add'; id: number; price: number }
  | { kind: 'delete'; id: number }
  | { kind: 'deleteEdge' }
  | { kind: 'move'; id: number; price: number }
  | { kind: 'read'; limit: number }
  | { kind: 'clear' };

const id = fc.integer({ min: 0, max: 199 });
const price = fc.integer({ min: 0, max: 120 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('add' as const), id, price }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('delete' as const), id }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'deleteEdge' as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('move' as const), id, price }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), limit: fc.constantFrom(0, 1, 3, 25, 40, 64, 100, 150, HEAD_MAX + 1) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

/** The private cache, read for the invariant. */
const cacheOf = (m: SortedMap<Entry>): readonly Entry[] => (m as unknown as { cache: Entry[] }).cache;

describe('SortedMap head cache', () => {
  it('always equals the first entries of a fresh walk', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(op, { maxLength: 700 }), (readFirst, ops) => {
        const map = new SortedMap<Entry>(byPrice);
        // The cache is kept from the first read on: from the start, or from a later 'read'.
        if (readFirst) expect(map.head(1)).toEqual([]);
        const live = new Map<number, Entry>();
        const model = (): Entry[] => [...live.values()].sort(byPrice);
        for (const o of ops) {
          switch (o.kind) {
            case 'add': {
              if (live.has(o.id)) break; // one entry per id, as in a book side
              const e = { price: o.price, id: o.id };
              live.set(o.id, e);
              map.add(e);
              break;
            }
            case 'delete': {
              const e = live.get(o.id);
              expect(map.delete(e ?? { price: 0, id: o.id })).toBe(e !== undefined);
              live.delete(o.id);
              break;
            }
            case 'deleteEdge': {
              // The cache's last entry, and the first one after it.
              const cache = cacheOf(map);
              for (const e of [cache[cache.length - 1], model()[cache.length]]) {
                if (e === undefined || !live.has(e.id)) continue;
                expect(map.delete(e)).toBe(true);
                live.delete(e.id);
              }
              break;
            }
            case 'move': {
              const e = live.get(o.id);
              if (e === undefined) break;
              expect(map.delete(e)).toBe(true);
              e.price = o.price;
              map.add(e);
              break;
            }
            case 'read': {
              const want = model().slice(0, o.limit);
              const head = map.head(o.limit);
              expect(head.slice(0, o.limit)).toEqual(want);
              expect(head.length >= want.length).toBe(true);
              break;
            }
            case 'clear':
              map.clear();
              live.clear();
              break;
            default: {
              const never: never = o;
              throw new Error(String(never));
            }
          }
          const all = model();
          const cache = cacheOf(map);
          expect(map.size).toBe(all.length);
          expect(cache).toEqual(all.slice(0, cache.length));
          expect(map.first()).toBe(all[0]);
          expect(map.toArray()).toEqual(all);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('serves the top from the cache without walking, and walks only to refill', () => {
    const map = new SortedMap<Entry>(byPrice);
    for (let i = 0; i < 200; i++) map.add({ price: i, id: i });
    const walk = jest.spyOn(map, 'toArray');
    try {
      // The first read fills it; a delete at the top and an add above it keep it exact.
      expect(map.head(25).slice(0, 3).map((e) => e.price)).toEqual([0, 1, 2]);
      expect(walk).toHaveBeenCalledTimes(1);
      walk.mockClear();
      map.delete(map.head(25)[0] as Entry);
      map.add({ price: -1, id: 999 });
      expect(map.head(25).slice(0, 2).map((e) => e.price)).toEqual([-1, 1]);
      expect(walk).not.toHaveBeenCalled();
      // Deletes shorten it below 25: the next read refills it with one walk.
      for (let i = 0; i < 45; i++) map.delete(map.head(1)[0] as Entry);
      expect(walk).not.toHaveBeenCalled();
      expect(map.head(25).slice(0, 2).map((e) => e.price)).toEqual([45, 46]);
      expect(walk).toHaveBeenCalledTimes(1);
      expect(map.head(25)[24]?.price).toBe(69);
      expect(walk).toHaveBeenCalledTimes(1);
    } finally {
      walk.mockRestore();
    }
  });
});

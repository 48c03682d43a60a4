import fc from 'fast-check';
import { IdIndex } from '../../lib/book/id-index';

describe('IdIndex (the order-book id index)', () => {
  it('behaves like a Map under random sets, deletes and gets, through growth and collisions', () => {
    const key = fc.oneof(
      fc.integer({ min: 0, max: 40 }).map((i) => 8_797_000_000 + i * 4_294_967_296), // same low 32 bits
      fc.integer({ min: 0, max: 40 }).map((i) => 8_797_000_000 + i),
      fc.constantFrom(0, -0, -5, 1.5, 2 ** 53 - 1),
      // Prices: fractions of one integer, and ticks below 1.
      fc.integer({ min: 0, max: 40 }).map((i) => 30_000 + i / 8),
      fc.integer({ min: 1, max: 40 }).map((i) => i * 0.00001),
    );
    const op = fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key, value: fc.integer() }),
      fc.record({ kind: fc.constant('delete' as const), key }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const ix = new IdIndex();
        const model = new Map<number, number>();
        for (const o of ops) {
          if (o.kind === 'set') {
            ix.set(o.key, o.value);
            model.set(o.key, o.value);
          } else {
            expect(ix.delete(o.key)).toBe(model.delete(o.key));
            // Backward-shift deletion must keep every other key reachable.
            for (const [k, v] of model) expect(ix.get(k)).toBe(v);
          }
          expect(ix.size).toBe(model.size);
        }
        for (const o of ops) expect(ix.get(o.key)).toBe(model.get(o.key));
        ix.clear();
        expect(ix.size).toBe(0);
        for (const o of ops) expect(ix.get(o.key)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });
});

/**
 * The id index's hash table against a `Map`: deletes shift later entries back, also across the
 * end of the table, which a behaviour test reaches only by chance.
 */
import fc from 'fast-check';
import { IdTable } from '../../lib/book/id-index';

describe('IdTable', () => {
  it('agrees with a Map through sets (returning the price before), deletes and growth', () => {
    // Few distinct ids, many operations: long probe runs, wrapped runs, repeated deletes.
    const id = fc.oneof(fc.integer({ min: 0, max: 40 }).map((i) => 8_797_000_000 + i * 4_294_967_296), fc.integer({ min: -40, max: 40 }), fc.constantFrom(0.5, -0, 2 ** 53 - 1));
    const op = fc.tuple(fc.constantFrom('set', 'set', 'delete', 'get'), id, fc.double({ noNaN: true }));
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const t = new IdTable();
        const m = new Map<number, number>();
        for (const [kind, k, v] of ops) {
          const key = k === 0 ? 0 : k; // the table treats -0 as 0, as Map does
          if (kind === 'set') {
            expect(t.set(key, v)).toBe(m.get(key)); // the price before
            m.set(key, v);
          } else if (kind === 'delete') {
            t.delete(key);
            m.delete(key);
          }
          expect(t.get(key)).toBe(m.get(key));
          expect(t.size).toBe(m.size);
        }
        for (const [k, v] of m) expect(t.get(k)).toBe(v);
      }),
      { numRuns: 300 },
    );
  });
});

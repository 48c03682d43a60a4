/** The reducer's states are values: frozen rows, and older states that stay readable. */
import type { Row } from '../../lib/protocol/frames';
import { emptyTables, reduceTables, rowsOf, tablesOf } from '../../lib/reducer/reducer';
import { run, L2_PARTIAL_XBT, l2 } from '../support/reducer-frames';

describe('immutability and stale states', () => {
  it('freezes rows, makes new rows on update and never changes emitted rows', () => {
    let s = run([{ table: 'instrument', action: 'partial', keys: ['symbol'], filter: {}, data: [{ symbol: 'XBTUSD', lastPrice: 1, markPrice: 1 }] }]);
    const first = rowsOf(s, 'instrument')[0] as Row;
    expect(Object.isFrozen(first)).toBe(true);
    s = run([{ table: 'instrument', action: 'update', data: [{ symbol: 'XBTUSD', lastPrice: 2 }] }], undefined, s);
    const second = s.changes[0]?.rows[0] as Row;
    expect(second).not.toBe(first);
    expect(Object.isFrozen(second)).toBe(true);
    expect(first).toEqual({ symbol: 'XBTUSD', lastPrice: 1, markPrice: 1 });
    expect(second).toEqual({ symbol: 'XBTUSD', lastPrice: 2, markPrice: 1 });
  });

  it('keeps every state readable: an older state reads as it was and can be reduced again (a branch)', () => {
    const s1 = run([L2_PARTIAL_XBT]);
    const s2 = reduceTables(s1, l2('update', { symbol: 'XBTUSD', id: 8797789500, side: 'Sell', size: 1, price: 22105 }));
    expect(rowsOf(s1, 'orderBookL2', 'XBTUSD').find((r) => r.id === 8797789500)?.size).toBe(375300);
    expect(rowsOf(s2, 'orderBookL2', 'XBTUSD').find((r) => r.id === 8797789500)?.size).toBe(1);
    // A branch from s1: s2 stays as it was.
    const b = reduceTables(s1, l2('delete', { symbol: 'XBTUSD', id: 8797789500, side: 'Sell', price: 22105 }));
    expect(rowsOf(b, 'orderBookL2', 'XBTUSD')).toHaveLength(3);
    expect(rowsOf(s2, 'orderBookL2', 'XBTUSD')).toHaveLength(4);
    expect(rowsOf(s1, 'orderBookL2', 'XBTUSD').find((r) => r.id === 8797789500)?.size).toBe(375300);
    expect(tablesOf(s1)).toEqual(['orderBookL2']);
    // States of separate chains do not interfere.
    const other = emptyTables();
    expect(tablesOf(other)).toEqual([]);
    expect(tablesOf(s2)).toEqual(['orderBookL2']);
  });
});

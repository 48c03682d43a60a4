/** The reducer's keys: from the partial, given by the user, defaulted, and keyless tables as logs. */
import { keysOf, makeKey, rowsOf } from '../../lib/reducer/reducer';
import { run, L2_PARTIAL_XBT } from '../support/reducer-frames';

describe('keys', () => {
  it('come from the partial', () => {
    const s = run([L2_PARTIAL_XBT, { table: 'instrument', action: 'partial', keys: ['symbol'], filter: {}, data: [] }]);
    expect(keysOf(s, 'orderBookL2')).toEqual(['symbol', 'id', 'side']);
    expect(keysOf(s, 'instrument')).toEqual(['symbol']);
    expect(keysOf(s, 'trade')).toBeUndefined();
  });

  it('keep keyless tables as insert-only logs despite attributes, so rows of one millisecond all stay', () => {
    let s = run([
      { table: 'quote', action: 'partial', keys: [], attributes: { timestamp: 'sorted', symbol: 'grouped' }, filter: { symbol: 'XBTUSD' }, data: [] },
    ]);
    expect(keysOf(s, 'quote')).toEqual([]);
    s = run(
      [
        { table: 'quote', action: 'insert', data: [{ timestamp: 't1', symbol: 'XBTUSD', bidPrice: 1 }] },
        { table: 'quote', action: 'insert', data: [{ timestamp: 't1', symbol: 'XBTUSD', bidPrice: 2 }] },
        { table: 'quote', action: 'insert', data: [{ timestamp: 't2', symbol: 'XBTUSD', bidPrice: 3 }] },
      ],
      undefined,
      s,
    );
    expect(rowsOf(s, 'quote', 'XBTUSD').map((r) => r.bidPrice)).toEqual([1, 2, 3]);
  });

  it('without keys or attributes make an insert-only log in arrival order', () => {
    let s = run([{ table: 'trade', action: 'partial', keys: [], filter: { symbol: 'XBTUSD' }, data: [{ timestamp: 't2', symbol: 'XBTUSD', size: 1 }] }]);
    s = run(
      [
        { table: 'trade', action: 'insert', data: [{ timestamp: 't1', symbol: 'XBTUSD', size: 2 }] },
        { table: 'trade', action: 'insert', data: [{ timestamp: 't1', symbol: 'XBTUSD', size: 2 }] },
      ],
      undefined,
      s,
    );
    expect(keysOf(s, 'trade')).toEqual([]);
    expect(rowsOf(s, 'trade').map((r) => r.size)).toEqual([1, 2, 2]);
    // Updates cannot be matched in a log: reported, not thrown.
    s = run([{ table: 'trade', action: 'update', data: [{ timestamp: 't1', symbol: 'XBTUSD', size: 9 }] }], undefined, s);
    expect(s.inconsistencies).toHaveLength(1);
  });

  it('given by the user win over partial keys and attributes', () => {
    let s = run(
      [{ table: 'quote', action: 'partial', keys: [], attributes: { timestamp: 'sorted', symbol: 'grouped' }, filter: {}, data: [] }],
      { tableKeys: { quote: ['symbol'] } },
    );
    expect(keysOf(s, 'quote')).toEqual(['symbol']);
    s = run(
      [
        { table: 'quote', action: 'insert', data: [{ timestamp: 't1', symbol: 'XBTUSD', bidPrice: 1 }] },
        { table: 'quote', action: 'insert', data: [{ timestamp: 't2', symbol: 'XBTUSD', bidPrice: 2 }] },
        { table: 'quote', action: 'update', data: [{ symbol: 'XBTUSD', askPrice: 3 }] },
      ],
      undefined,
      s,
    );
    expect(rowsOf(s, 'quote')).toEqual([{ timestamp: 't2', symbol: 'XBTUSD', bidPrice: 2, askPrice: 3 }]);
  });

  it('absent keys default to the documented ones', () => {
    const t = run([{ table: 'instrument', action: 'partial', filter: {}, data: [] }]);
    expect(keysOf(t, 'instrument')).toEqual(['symbol']);
  });

  it('makeKey joins the key columns, defaulting to the keys BitMEX uses', () => {
    const row = { symbol: 'XBTUSD', id: 8797789500, side: 'Sell', size: 1 };
    expect(makeKey('orderBookL2', row)).toBe(makeKey('orderBookL2', row, ['symbol', 'id', 'side']));
    expect(makeKey('orderBookL2', row)).not.toBe(makeKey('orderBookL2', { ...row, side: 'Buy' }));
    expect(makeKey('instrument', row)).toBe('XBTUSD');
    expect(makeKey('x', { a: 'p', b: 'q' }, ['a', 'b'])).not.toBe(makeKey('x', { a: 'pq', b: '' }, ['a', 'b']));
  });
});

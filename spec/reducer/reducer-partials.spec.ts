/** The reducer's partials: what each replaces, and the deltas that come before theirs. */
import { clearImage, rowsOf, tablesOf } from '../../lib/reducer/reducer';
import { run, L2_PARTIAL_XBT, l2 } from '../support/reducer-frames';

describe('partial', () => {
  it('replaces the image of its filter only', () => {
    let s = run([L2_PARTIAL_XBT]);
    s = run(
      [{ table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol: 'ETHUSD' }, data: [{ symbol: 'ETHUSD', id: 1, side: 'Buy', size: 5, price: 1500 }] }],
      undefined,
      s,
    );
    expect(rowsOf(s, 'orderBookL2', 'XBTUSD')).toHaveLength(4);
    expect(rowsOf(s, 'orderBookL2', 'ETHUSD')).toHaveLength(1);
    // A new XBTUSD partial replaces XBTUSD's rows and leaves ETHUSD alone.
    s = run(
      [{ table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol: 'XBTUSD' }, data: [{ symbol: 'XBTUSD', id: 9, side: 'Sell', size: 1, price: 23000 }] }],
      undefined,
      s,
    );
    expect(rowsOf(s, 'orderBookL2', 'XBTUSD').map((r) => r.id)).toEqual([9]);
    expect(rowsOf(s, 'orderBookL2', 'ETHUSD')).toHaveLength(1);
    expect(s.changes).toEqual([{ table: 'orderBookL2', action: 'partial', symbol: 'XBTUSD', rows: [{ symbol: 'XBTUSD', id: 9, side: 'Sell', size: 1, price: 23000 }] }]);
  });

  it('with filter {} replaces the whole table', () => {
    let s = run([
      { table: 'instrument', action: 'partial', keys: ['symbol'], filter: { symbol: 'XBTUSD' }, data: [{ symbol: 'XBTUSD', lastPrice: 1 }] },
      { table: 'instrument', action: 'partial', keys: ['symbol'], filter: { symbol: 'ETHUSD' }, data: [{ symbol: 'ETHUSD', lastPrice: 2 }] },
    ]);
    expect(rowsOf(s, 'instrument').map((r) => r.symbol)).toEqual(['ETHUSD', 'XBTUSD']);
    s = run([{ table: 'instrument', action: 'partial', keys: ['symbol'], filter: {}, data: [{ symbol: 'SOLUSD', lastPrice: 3 }] }], undefined, s);
    expect(rowsOf(s, 'instrument').map((r) => r.symbol)).toEqual(['SOLUSD']);
  });

  it('reports an empty image with an empty batch', () => {
    const s = run([{ table: 'order', action: 'partial', keys: ['orderID'], filter: { account: 1, symbol: 'XBTUSD' }, data: [] }]);
    expect(s.changes).toEqual([{ table: 'order', action: 'partial', symbol: 'XBTUSD', rows: [] }]);
    expect(tablesOf(s)).toEqual(['order']);
  });
});

describe('frames before their partial', () => {
  it('are skipped, per filter: ETHUSD deltas are dropped while only XBTUSD has a partial', () => {
    let s = run([l2('update', { symbol: 'XBTUSD', id: 8797789500, side: 'Sell', size: 1 })]);
    expect(s.skipped).toEqual([{ table: 'orderBookL2', action: 'update', symbol: 'XBTUSD', rows: [{ symbol: 'XBTUSD', id: 8797789500, side: 'Sell', size: 1 }] }]);
    expect(s.changes).toEqual([]);
    expect(s.inconsistencies).toEqual([]);
    s = run([L2_PARTIAL_XBT], undefined, s);
    s = run(
      [
        l2(
          'insert',
          { symbol: 'ETHUSD', id: 1, side: 'Buy', size: 5, price: 1500 },
          { symbol: 'XBTUSD', id: 2, side: 'Buy', size: 5, price: 22000 },
        ),
      ],
      undefined,
      s,
    );
    expect(s.skipped.map((c) => [c.symbol, c.rows.length])).toEqual([['ETHUSD', 1]]);
    expect(s.changes.map((c) => [c.symbol, c.rows.length])).toEqual([['XBTUSD', 1]]);
    s = run([l2('update', { symbol: 'ETHUSD', id: 1, side: 'Buy', size: 6 })], undefined, s);
    expect(s.skipped).toHaveLength(1);
    expect(s.inconsistencies).toEqual([]);
    expect(rowsOf(s, 'orderBookL2', 'ETHUSD')).toEqual([]);
  });

  it('are skipped for generic tables by matching every filter field', () => {
    let s = run([{ table: 'position', action: 'partial', keys: ['account', 'symbol'], filter: { account: 1, symbol: 'XBTUSD' }, data: [] }]);
    s = run(
      [
        { table: 'position', action: 'insert', data: [{ account: 1, symbol: 'XBTUSD', currentQty: 1 }] },
        { table: 'position', action: 'insert', data: [{ account: 1, symbol: 'ETHUSD', currentQty: 2 }] },
      ],
      undefined,
      s,
    );
    expect(s.skipped.map((c) => c.symbol)).toEqual(['ETHUSD']);
    expect(rowsOf(s, 'position')).toEqual([{ account: 1, symbol: 'XBTUSD', currentQty: 1 }]);
  });

  it('are skipped again after clearImage', () => {
    let s = run([L2_PARTIAL_XBT]);
    s = clearImage(s, 'orderBookL2', { symbol: 'XBTUSD' });
    expect(rowsOf(s, 'orderBookL2', 'XBTUSD')).toEqual([]);
    s = run([l2('update', { symbol: 'XBTUSD', id: 8797789500, side: 'Sell', size: 1 })], undefined, s);
    expect(s.skipped).toHaveLength(1);
    expect(s.inconsistencies).toEqual([]);
  });
});

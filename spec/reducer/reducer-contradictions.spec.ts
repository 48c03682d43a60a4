/**
 * Frames that contradict the image they apply to. None of the real recordings
 * (../shared/real-frames) has either: they must not pass silently.
 */
import type { TableFrame } from '../../lib/protocol/frames';
import { bookOf, emptyTables, reduceTables, rowsOf } from '../../lib/reducer/reducer';
import type { TablesState } from '../../lib/reducer/reducer';

const frame = (v: unknown): TableFrame => v as TableFrame;
const L2_KEYS = ['symbol', 'id', 'side'];

function base(): TablesState {
  let s = emptyTables();
  s = reduceTables(s, frame({ table: 'instrument', action: 'partial', keys: ['symbol'], filter: {}, data: [{ symbol: 'XBTUSD', lastPrice: 1, markPrice: 1 }] }));
  for (const [symbol, price] of [['XBTUSD', 100], ['ETHUSD', 10]] as const) {
    s = reduceTables(s, frame({
      table: 'orderBookL2', action: 'partial', keys: L2_KEYS, filter: { symbol },
      data: [{ symbol, id: 1, side: 'Buy', size: 5, price: price - 1 }, { symbol, id: 2, side: 'Sell', size: 6, price: price + 1 }],
    }));
  }
  return s;
}

describe('an insert of a key the image already holds (the image missed a delete)', () => {
  it('orderBookL2: the server\'s row replaces the level, and it is reported as an inconsistency (the client resyncs)', () => {
    const row = { symbol: 'XBTUSD', id: 1, side: 'Buy', size: 7, price: 98 };
    const s = reduceTables(base(), frame({ table: 'orderBookL2', action: 'insert', data: [row] }));
    expect(s.inconsistencies).toHaveLength(1);
    expect(s.inconsistencies[0]).toMatchObject({ table: 'orderBookL2', action: 'insert', symbol: 'XBTUSD', row });
    expect(bookOf(s, 'XBTUSD')?.bids).toEqual([{ id: 1, price: 98, size: 7 }]);
    expect(s.changes).toEqual([{ table: 'orderBookL2', action: 'insert', symbol: 'XBTUSD', rows: [row] }]);
  });

  it('orderBookL2: a new level in the same frame is not reported', () => {
    const fresh = { symbol: 'XBTUSD', id: 3, side: 'Buy', size: 1, price: 97 };
    const s = reduceTables(base(), frame({ table: 'orderBookL2', action: 'insert', data: [fresh, { symbol: 'XBTUSD', id: 2, side: 'Sell', size: 7, price: 101 }] }));
    expect(s.inconsistencies.map((i) => i.row.id)).toEqual([2]);
    expect(s.changes[0]?.rows.map((r) => r.id)).toEqual([3, 2]);
  });

  it('a keyed table (instrument): the row replaces it and is reported', () => {
    const s = reduceTables(base(), frame({ table: 'instrument', action: 'insert', data: [{ symbol: 'XBTUSD', markPrice: 2 }] }));
    expect(s.inconsistencies).toHaveLength(1);
    expect(s.inconsistencies[0]).toMatchObject({ table: 'instrument', action: 'insert', symbol: 'XBTUSD' });
  });

  it('keys of the user\'s own (tableKeys) merge on purpose: not reported', () => {
    let s = emptyTables({ tableKeys: { trade: ['symbol', 'timestamp'] } });
    const t = '2026-12-01T00:00:00.000Z';
    s = reduceTables(s, frame({ table: 'trade', action: 'partial', keys: [], filter: {}, data: [{ symbol: 'XBTUSD', timestamp: t, size: 1 }] }));
    s = reduceTables(s, frame({ table: 'trade', action: 'insert', data: [{ symbol: 'XBTUSD', timestamp: t, size: 2 }] }));
    expect(s.inconsistencies).toEqual([]);
    expect(rowsOf(s, 'trade', 'XBTUSD')).toEqual([{ symbol: 'XBTUSD', timestamp: t, size: 2 }]);
  });
});

describe('a partial carrying rows outside its own filter', () => {
  it('orderBookL2: the foreign rows are reported and skipped, never added to another symbol\'s book', () => {
    const before = bookOf(base(), 'ETHUSD');
    const s = reduceTables(base(), frame({
      table: 'orderBookL2', action: 'partial', keys: L2_KEYS, filter: { symbol: 'XBTUSD' },
      data: [{ symbol: 'XBTUSD', id: 1, side: 'Buy', size: 5, price: 99 }, { symbol: 'ETHUSD', id: 3, side: 'Buy', size: 1, price: 1 }],
    }));
    expect(bookOf(s, 'ETHUSD')).toEqual(before);
    expect(s.unusable).toEqual([{ table: 'orderBookL2', reason: "row 1 of partial is for ETHUSD, not its filter's XBTUSD", value: { symbol: 'ETHUSD', id: 3, side: 'Buy', size: 1, price: 1 }, dropped: 'partial' }]);
  });

  it('a keyed table (instrument): a row of another symbol does not replace that symbol\'s row', () => {
    const s = reduceTables(base(), frame({ table: 'instrument', action: 'partial', keys: ['symbol'], filter: { symbol: 'ETHUSD' }, data: [{ symbol: 'XBTUSD', markPrice: 666 }] }));
    expect(rowsOf(s, 'instrument', 'XBTUSD')).toEqual([{ symbol: 'XBTUSD', lastPrice: 1, markPrice: 1 }]);
    expect(s.unusable).toHaveLength(1);
  });
});

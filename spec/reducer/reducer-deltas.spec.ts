/** The reducer's inserts, updates and deletes, the changes it reports, and the inconsistencies it reports. */
import type { Row } from '../../lib/protocol/frames';
import { makeKey, reduceTables, rowsOf } from '../../lib/reducer/reducer';
import { run, L2_PARTIAL_XBT, l2 } from '../support/reducer-frames';

describe('insert, update, delete', () => {
  it('inserts, merges sparse updates by key, deletes and reports the stored row', () => {
    let s = run([
      { table: 'instrument', action: 'partial', keys: ['symbol'], filter: { symbol: 'XBTUSD' }, data: [{ symbol: 'XBTUSD', state: 'Open', lastPrice: 20000, markPrice: 20001 }] },
    ]);
    s = run([{ table: 'instrument', action: 'update', data: [{ symbol: 'XBTUSD', lastPrice: 20010, timestamp: '2023-01-01T00:00:00.000Z' }] }], undefined, s);
    const merged = { symbol: 'XBTUSD', state: 'Open', lastPrice: 20010, markPrice: 20001, timestamp: '2023-01-01T00:00:00.000Z' };
    expect(s.changes).toEqual([{ table: 'instrument', action: 'update', symbol: 'XBTUSD', rows: [merged] }]);
    expect(rowsOf(s, 'instrument', 'XBTUSD')).toEqual([merged]);

    s = run([{ table: 'instrument', action: 'insert', data: [{ symbol: 'XBTUSD', state: 'Closed' }] }], undefined, s);
    expect(rowsOf(s, 'instrument')).toEqual([{ symbol: 'XBTUSD', state: 'Closed' }]);

    s = run([{ table: 'instrument', action: 'delete', data: [{ symbol: 'XBTUSD' }] }], undefined, s);
    expect(s.changes).toEqual([{ table: 'instrument', action: 'delete', symbol: 'XBTUSD', rows: [{ symbol: 'XBTUSD', state: 'Closed' }] }]);
    expect(rowsOf(s, 'instrument')).toEqual([]);
  });

  it('applies L2 inserts, updates and deletes by id and side', () => {
    let s = run([L2_PARTIAL_XBT]);
    s = run([`{"table":"orderBookL2","action":"insert","data":[{"symbol":"XBTUSD","id":8797309800,"side":"Buy","size":32800,"price":22101,"timestamp":"2023-05-19T08:51:43.911Z"}]}`], undefined, s);
    expect(rowsOf(s, 'orderBookL2', 'XBTUSD')).toHaveLength(5);
    s = run([`{"table":"orderBookL2","action":"update","data":[{"symbol":"XBTUSD","id":8797309800,"side":"Buy","size":42800,"price":22101,"timestamp":"2023-05-19T08:51:44.911Z"}]}`], undefined, s);
    expect(s.changes[0]?.rows).toEqual([{ symbol: 'XBTUSD', id: 8797309800, side: 'Buy', size: 42800, price: 22101, timestamp: '2023-05-19T08:51:44.911Z' }]);
    s = run([`{"table":"orderBookL2","action":"delete","data":[{"symbol":"XBTUSD","id":8797309800,"side":"Buy","price":22101,"timestamp":"2023-05-19T08:51:45.911Z"}]}`], undefined, s);
    // A delete reports the full stored row, not the key row received.
    expect(s.changes[0]?.rows).toEqual([{ symbol: 'XBTUSD', id: 8797309800, side: 'Buy', size: 42800, price: 22101, timestamp: '2023-05-19T08:51:44.911Z' }]);
    expect(rowsOf(s, 'orderBookL2', 'XBTUSD').map((r) => r.id)).toEqual([8797789500, 8797789600, 8797789700, 8797789800]);
  });


  it('batches L2 rows right whether they are stored as given, merged, not objects or of another symbol', () => {
    const base = run([L2_PARTIAL_XBT]);
    const ts = '2023-05-19T08:51:43.911Z';
    const full = (id: number, size: number): Row => ({ symbol: 'XBTUSD', id, side: 'Buy', size, price: 22100 - (id - 8797789700) / 200, timestamp: ts });
    // Whole rows are stored as given: the batch holds those very objects, frozen.
    const frame = l2('update', full(8797789700, 1), full(8797789800, 2));
    let s = reduceTables(base, frame);
    expect(s.changes).toHaveLength(1);
    expect(s.changes[0]?.rows).toHaveLength(2);
    expect(s.changes[0]?.rows[0]).toBe(frame.data[0]);
    expect(s.changes[0]?.rows[1]).toBe(frame.data[1]);
    expect(Object.isFrozen(frame.data[1])).toBe(true);
    // A sparse update after a whole one: merged row, both in order.
    s = reduceTables(s, l2('update', full(8797789700, 3), { symbol: 'XBTUSD', id: 8797789800, side: 'Buy', size: 4 }));
    expect(s.changes[0]?.rows.map((r) => [r.id, r.size, r.price])).toEqual([
      [8797789700, 3, 22100],
      [8797789800, 4, 22099.5],
    ]);
    // Entries that are not objects are left out; the rows around them stay.
    s = reduceTables(s, { table: 'orderBookL2', action: 'update', data: [full(8797789700, 5), null, full(8797789800, 6)] as unknown as Row[] });
    expect(s.changes[0]?.rows.map((r) => r.size)).toEqual([5, 6]);
    // A delete between kept rows reports the stored row.
    s = reduceTables(s, l2('delete', { symbol: 'XBTUSD', id: 8797789800, side: 'Buy' }));
    expect(s.changes[0]?.rows[0]).toMatchObject({ id: 8797789800, size: 6, price: 22099.5 });
    // Rows of another symbol start a second batch.
    s = run([{ table: 'orderBookL2', action: 'partial', filter: { symbol: 'ETHUSD' }, data: [{ symbol: 'ETHUSD', id: 1, side: 'Buy', size: 5, price: 1500 }] }], undefined, s);
    s = reduceTables(s, l2('update', full(8797789700, 7), { symbol: 'ETHUSD', id: 1, side: 'Buy', size: 8, price: 1500 }));
    expect(s.changes.map((c) => [c.symbol, c.rows.map((r) => r.size)])).toEqual([
      ['XBTUSD', [7]],
      ['ETHUSD', [8]],
    ]);
  });
  it('builds the change list of a one-batch frame when first read, the same list on every read, also once stale', () => {
    const base = run([L2_PARTIAL_XBT]);
    const ts = '2023-05-19T08:51:43.911Z';
    const frame = l2('update', { symbol: 'XBTUSD', id: 8797789700, side: 'Buy', size: 1, price: 22100, timestamp: ts });
    const s = reduceTables(base, frame);
    const next = reduceTables(s, l2('update', { symbol: 'XBTUSD', id: 8797789700, side: 'Buy', size: 2, price: 22100, timestamp: ts }));
    // s is stale now; its list is built from what its frame did, not from the shared image.
    const list = s.changes;
    expect(list).toEqual([{ table: 'orderBookL2', action: 'update', symbol: 'XBTUSD', rows: [frame.data[0]] }]);
    expect(s.changes).toBe(list);
    expect(next.changes[0]?.rows[0]?.size).toBe(2);
    expect(s.changes[0]?.rows[0]?.size).toBe(1);
    // A frame that changed nothing has an empty list.
    const none = reduceTables(next, l2('update', { symbol: 'XBTUSD', id: 1, side: 'Buy', size: 3 }));
    expect(none.changes).toEqual([]);
    expect(none.inconsistencies).toHaveLength(1);
  });
  it('groups changes per symbol in order of first appearance, omitting symbol when rows have none', () => {
    let s = run([
      { table: 'trade', action: 'partial', keys: [], filter: {}, data: [] },
      { table: 'wallet', action: 'partial', keys: ['account', 'currency'], filter: { account: 7 }, data: [] },
    ]);
    s = run(
      [{ table: 'trade', action: 'insert', data: [{ symbol: 'B', n: 1 }, { symbol: 'A', n: 2 }, { symbol: 'B', n: 3 }] }],
      undefined,
      s,
    );
    expect(s.changes.map((c) => [c.symbol, c.rows.map((r) => r.n)])).toEqual([
      ['B', [1, 3]],
      ['A', [2]],
    ]);
    s = run([{ table: 'wallet', action: 'insert', data: [{ account: 7, currency: 'XBt', amount: 5 }] }], undefined, s);
    expect(s.changes).toEqual([{ table: 'wallet', action: 'insert', rows: [{ account: 7, currency: 'XBt', amount: 5 }] }]);
    expect('symbol' in (s.changes[0] as object)).toBe(false);
  });
});

describe('inconsistencies', () => {
  it('are reported for an update or delete of an unknown row, without throwing or touching other rows', () => {
    let s = run([L2_PARTIAL_XBT]);
    const before = rowsOf(s, 'orderBookL2', 'XBTUSD');
    s = run(
      [l2('update', { symbol: 'XBTUSD', id: 1, side: 'Buy', size: 1 }, { symbol: 'XBTUSD', id: 8797789700, side: 'Buy', size: 2001 })],
      undefined,
      s,
    );
    expect(s.inconsistencies).toEqual([
      { table: 'orderBookL2', action: 'update', symbol: 'XBTUSD', key: makeKey('orderBookL2', { symbol: 'XBTUSD', id: 1, side: 'Buy' }), row: { symbol: 'XBTUSD', id: 1, side: 'Buy', size: 1 } },
    ]);
    // The good row of the same frame still applied.
    expect(s.changes[0]?.rows).toEqual([{ ...before[2], size: 2001 }]);
    s = run([l2('delete', { symbol: 'XBTUSD', id: 8797789700, side: 'Sell' })], undefined, s);
    expect(s.inconsistencies.map((i) => i.action)).toEqual(['delete']);
    expect(rowsOf(s, 'orderBookL2', 'XBTUSD')).toHaveLength(4);

    s = run(
      [
        { table: 'order', action: 'partial', keys: ['orderID'], filter: { account: 1 }, data: [] },
        { table: 'order', action: 'update', data: [{ orderID: 'abc', account: 1, leavesQty: 0 }] },
      ],
      undefined,
      s,
    );
    expect(s.inconsistencies).toEqual([{ table: 'order', action: 'update', key: 'abc', row: { orderID: 'abc', account: 1, leavesQty: 0 } }]);
  });
});

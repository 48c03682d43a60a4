import type { Row, TableFrame } from '../../lib/protocol/frames';
import {
  clearImage,
  emptyTables,
  keysOf,
  makeKey,
  parseTimestamp,
  reduceTables,
  rowsOf,
  tablesOf,
} from '../../lib/reducer/reducer';
import type { ReducerOptions, TablesState } from '../../lib/reducer/reducer';

/** Reduces frames given as JSON text, as they come off the socket. */
function run(frames: readonly (TableFrame | string)[], options?: ReducerOptions, from: TablesState = emptyTables(options)): TablesState {
  let s = from;
  for (const f of frames) s = reduceTables(s, (typeof f === 'string' ? JSON.parse(f) : JSON.parse(JSON.stringify(f))) as TableFrame);
  return s;
}

const L2_PARTIAL_XBT = `{"table":"orderBookL2","action":"partial","keys":["symbol","id","side"],
 "types":{"symbol":"symbol","id":"long","side":"symbol","size":"long","price":"float","timestamp":"timestamp"},
 "foreignKeys":{"symbol":"instrument","side":"side"},"attributes":{"symbol":"parted","id":"sorted"},
 "filter":{"symbol":"XBTUSD"},"data":[
  {"symbol":"XBTUSD","id":8797789500,"side":"Sell","size":375300,"price":22105,"timestamp":"2023-02-15T08:11:07.502Z"},
  {"symbol":"XBTUSD","id":8797789600,"side":"Sell","size":1000,"price":22104.5,"timestamp":"2023-02-15T08:11:07.502Z"},
  {"symbol":"XBTUSD","id":8797789700,"side":"Buy","size":2000,"price":22100,"timestamp":"2023-02-15T08:11:07.502Z"},
  {"symbol":"XBTUSD","id":8797789800,"side":"Buy","size":3000,"price":22099.5,"timestamp":"2023-02-15T08:11:07.502Z"}]}`;

const l2 = (action: 'insert' | 'update' | 'delete', ...data: Row[]): TableFrame => ({ table: 'orderBookL2', action, data });

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

describe('table length limit', () => {
  it('drops the oldest rows (per table and symbol, default 200)', () => {
    const trades = (from: number, n: number): Row[] => Array.from({ length: n }, (_, i) => ({ symbol: 'XBTUSD', timestamp: `t${from + i}`, n: from + i }));
    let s = run([{ table: 'trade', action: 'partial', keys: [], filter: { symbol: 'XBTUSD' }, data: trades(0, 150) }]);
    s = run([{ table: 'trade', action: 'insert', data: trades(150, 100) }], undefined, s);
    const rows = rowsOf(s, 'trade');
    expect(rows).toHaveLength(200);
    expect(rows[0]?.n).toBe(50);
    expect(rows[199]?.n).toBe(249);
    s = run([{ table: 'trade', action: 'insert', data: trades(250, 3) }], { maxTableLength: 2 }, emptyTables({ maxTableLength: 2 }));
    expect(s.skipped).toHaveLength(1); // no partial in this new chain
  });

  it('honours maxTableLength for keyed tables', () => {
    const opts = { maxTableLength: 2 };
    const s = run(
      [
        { table: 'execution', action: 'partial', keys: ['execID'], filter: { account: 1 }, data: [] },
        { table: 'execution', action: 'insert', data: [{ execID: 'a', account: 1 }, { execID: 'b', account: 1 }] },
        { table: 'execution', action: 'insert', data: [{ execID: 'c', account: 1 }] },
      ],
      opts,
    );
    expect(rowsOf(s, 'execution').map((r) => r.execID)).toEqual(['b', 'c']);
  });

  it('drops only closed orders older than 60 s from order, relative to the newest timestamp', () => {
    const order = (id: string, leavesQty: number, ts: string): Row => ({ orderID: id, account: 1, symbol: 'XBTUSD', leavesQty, timestamp: ts });
    const s = run(
      [
        { table: 'order', action: 'partial', keys: ['orderID'], filter: { account: 1 }, data: [] },
        {
          table: 'order',
          action: 'insert',
          data: [
            order('open-old', 10, '2023-01-01T00:00:00.000Z'),
            order('closed-old', 0, '2023-01-01T00:00:00.000Z'),
            order('closed-recent', 0, '2023-01-01T00:01:30.000Z'),
            order('open-new', 5, '2023-01-01T00:02:00.000Z'),
          ],
        },
      ],
      { maxTableLength: 2 },
    );
    expect(rowsOf(s, 'order').map((r) => r.orderID)).toEqual(['closed-recent', 'open-new', 'open-old']);
  });

  it('uses the injected clock for the age of closed orders', () => {
    const order = (id: string, leavesQty: number): Row => ({ orderID: id, account: 1, symbol: 'XBTUSD', leavesQty, timestamp: '2023-01-01T00:00:00.000Z' });
    const frames: TableFrame[] = [
      { table: 'order', action: 'partial', keys: ['orderID'], filter: { account: 1 }, data: [] },
      { table: 'order', action: 'insert', data: [order('a', 0), order('b', 0), order('c', 0)] },
    ];
    const young = run(frames, { maxTableLength: 1, now: () => Date.parse('2023-01-01T00:00:30.000Z') });
    expect(rowsOf(young, 'order')).toHaveLength(3);
    const old = run(frames, { maxTableLength: 1, now: () => Date.parse('2023-01-01T00:05:00.000Z') });
    expect(rowsOf(old, 'order').map((r) => r.orderID)).toEqual(['c']);
  });

  it('never trims order books', () => {
    const data = Array.from({ length: 300 }, (_, i) => ({ symbol: 'XBTUSD', id: i, side: i % 2 ? 'Buy' : 'Sell', size: 1, price: i % 2 ? 100 - i : 200 + i }));
    const s = run([{ table: 'orderBookL2_25', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol: 'XBTUSD' }, data }], { maxTableLength: 10 });
    expect(rowsOf(s, 'orderBookL2_25', 'XBTUSD')).toHaveLength(300);
  });
});

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

describe('parseTimestamp', () => {
  it('parses BitMEX timestamps as UTC', () => {
    expect(parseTimestamp('2020-10-12T16:46:20.255Z').getTime()).toBe(Date.UTC(2020, 9, 12, 16, 46, 20, 255));
    expect(parseTimestamp('2020-10-12T16:46:20.255').getTime()).toBe(Date.UTC(2020, 9, 12, 16, 46, 20, 255));
    expect(Number.isNaN(parseTimestamp('not a date').getTime())).toBe(true);
  });
});

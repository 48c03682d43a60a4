/** The reducer's table length limit: which rows it drops, per table. */
import type { Row, TableFrame } from '../../lib/protocol/frames';
import { emptyTables, rowsOf } from '../../lib/reducer/reducer';
import { run } from '../support/reducer-frames';

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

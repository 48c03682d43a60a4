/**
 * No frame content throws out of reduceTables (issue 14): shapes are checked where read, a frame
 * or row that cannot be used is reported or ignored, and other tables and symbols are unaffected.
 */
import fc from 'fast-check';
import type { Row, TableFrame } from '../../lib/protocol/frames';
import { bookOf, createBookView, emptyTables, keysOf, reduceTables, rowsOf, tablesOf } from '../../lib/reducer/reducer';
import type { TablesState } from '../../lib/reducer/reducer';

const frame = (v: unknown): TableFrame => v as TableFrame;

function base(): TablesState {
  let s = emptyTables();
  s = reduceTables(s, frame({ table: 'instrument', action: 'partial', keys: ['symbol'], filter: {}, data: [{ symbol: 'XBTUSD', lastPrice: 1 }] }));
  s = reduceTables(s, frame({
    table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol: 'XBTUSD' },
    data: [{ symbol: 'XBTUSD', id: 1, side: 'Buy', size: 5, price: 99 }, { symbol: 'XBTUSD', id: 2, side: 'Sell', size: 6, price: 101 }],
  }));
  return s;
}

/** What a state shows of the tables a hostile frame must not touch. */
const image = (s: TablesState): unknown => ({ instrument: rowsOf(s, 'instrument'), book: bookOf(s, 'XBTUSD') });

function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('hostile frames', () => {
  it('a partial with keys: null or filter: null is applied with the known keys / the whole table', () => {
    let s = base();
    s = reduceTables(s, frame({ table: 'instrument', action: 'partial', keys: null, filter: { symbol: 'ETHUSD' }, data: [{ symbol: 'ETHUSD', lastPrice: 2 }] }));
    expect(keysOf(s, 'instrument')).toEqual(['symbol']);
    expect(rowsOf(s, 'instrument').map((r) => r.symbol)).toEqual(['ETHUSD', 'XBTUSD']);
    s = reduceTables(s, frame({ table: 'trade', action: 'partial', keys: [1, 2], filter: null, data: [{ symbol: 'XBTUSD', price: 1 }] }));
    expect(rowsOf(s, 'trade')).toHaveLength(1);
    s = reduceTables(s, frame({ table: 'trade', action: 'insert', data: [{ symbol: 'ETHUSD', price: 2 }] }));
    expect(rowsOf(s, 'trade')).toHaveLength(2); // filter null: the whole table is covered
  });

  it('rows that have none of their key columns are reported, never merged into one row nor found by such a row', () => {
    let s = base();
    // A partial whose keys name a column its rows lack: each row keyed "nothing" replaced the
    // last, leaving one, and an update without the column then overwrote that one.
    s = reduceTables(s, frame({ table: 'funding', action: 'partial', keys: ['fundingID'], filter: {}, data: [{ symbol: 'A', rate: 1 }, { symbol: 'B', rate: 2 }] }));
    expect(rowsOf(s, 'funding')).toEqual([]);
    expect(s.inconsistencies.map((i) => i.action)).toEqual(['partial', 'partial']);
    s = reduceTables(s, frame({ table: 'instrument', action: 'update', data: [{ lastPrice: 7 }] }));
    expect(s.inconsistencies.map((i) => i.action)).toEqual(['update']);
    s = reduceTables(s, frame({ table: 'instrument', action: 'insert', data: [{ lastPrice: 8 }] }));
    expect(s.inconsistencies.map((i) => i.action)).toEqual(['insert']);
    expect(image(s)).toEqual(image(base()));
    // A key column that is null (or left out, as BitMEX does with nulls since 2023) beside others still keys the row.
    s = reduceTables(s, frame({ table: 'position', action: 'partial', keys: ['account', 'symbol', 'currency'], filter: {}, data: [{ account: 1, symbol: 'XBTUSD', qty: 1 }] }));
    s = reduceTables(s, frame({ table: 'position', action: 'update', data: [{ account: 1, symbol: 'XBTUSD', qty: 2 }] }));
    expect(s.inconsistencies).toEqual([]);
    expect(rowsOf(s, 'position')).toEqual([{ account: 1, symbol: 'XBTUSD', qty: 2 }]);
  });

  it('table names that are Object.prototype members are ordinary tables', () => {
    let s = base();
    for (const table of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
      s = reduceTables(s, frame({ table, action: 'update', data: [{ symbol: 'XBTUSD' }] }));
      expect(s.skipped).toHaveLength(1);
      s = reduceTables(s, frame({ table, action: 'partial', data: [{ symbol: 'XBTUSD', x: 1 }] }));
      s = reduceTables(s, frame({ table, action: 'insert', data: [{ symbol: 'XBTUSD', x: 2 }] }));
      expect(rowsOf(s, table)).toHaveLength(2);
      expect(keysOf(s, table)).toEqual([]);
    }
    expect(tablesOf(s)).toEqual(['instrument', 'orderBookL2', 'toString', 'constructor', '__proto__', 'hasOwnProperty']);
    expect(image(s)).toEqual(image(base()));
  });

  it('a key value nested 20,000 deep is reported, not recursed into; the frame\'s other rows apply', () => {
    let s = base();
    const deep = nested(20_000);
    s = reduceTables(s, frame({ table: 'instrument', action: 'update', data: [{ symbol: deep, lastPrice: 3 }, { symbol: 'XBTUSD', lastPrice: 4 }] }));
    expect(s.inconsistencies).toHaveLength(1);
    expect(s.changes[0]?.rows).toEqual([{ symbol: 'XBTUSD', lastPrice: 4 }]);
    s = reduceTables(s, frame({ table: 'instrument', action: 'insert', data: [{ symbol: deep }] }));
    expect(s.inconsistencies.map((i) => i.action)).toEqual(['insert']);
    s = reduceTables(s, frame({ table: 'orderBookL2', action: 'update', data: [{ symbol: 'XBTUSD', id: deep, side: 'Buy', size: 1, price: 99 }] }));
    expect(s.inconsistencies).toHaveLength(1);
    expect(rowsOf(s, 'instrument')).toEqual([{ symbol: 'XBTUSD', lastPrice: 4 }]);
  });

  it('rows that are not objects, and frames that are not table frames, change nothing else', () => {
    let s = base();
    const before = image(s);
    for (const data of [[null, 5, 'x', [1], true], null, 'rows', 42, { 0: {} }]) {
      for (const action of ['partial', 'insert', 'update', 'delete']) {
        s = reduceTables(s, frame({ table: 'orderBookL2', action, data, filter: { symbol: 'ETHUSD' } }));
        s = reduceTables(s, frame({ table: 'instrument', action: action === 'partial' ? 'insert' : action, data }));
      }
    }
    for (const f of [null, undefined, 7, 'frame', [], { table: 5, action: 'insert', data: [] }, { table: 'instrument', action: 'upsert', data: [{ symbol: 'XBTUSD' }] }]) {
      const next = reduceTables(s, frame(f));
      expect(next.changes).toEqual([]);
      // Listed as unusable, the whole frame as given.
      expect(next.unusable).toHaveLength(1);
      expect(next.unusable[0]?.value).toBe(f);
      expect(next.unusable[0]?.dropped).toBeUndefined();
      s = next;
    }
    expect(image(s)).toEqual(before);
    // A delta of mixed rows: the usable ones apply, the others are listed by position.
    s = reduceTables(s, frame({ table: 'orderBookL2', action: 'insert', data: [null, { symbol: 'XBTUSD', id: 3, side: 'Buy', size: 1, price: 98 }, 'x'] }));
    expect(bookOf(s, 'XBTUSD')?.bids.map((l) => l.price)).toEqual([99, 98]);
    expect(s.unusable).toEqual([
      { table: 'orderBookL2', reason: 'row 0 of insert is not an object', value: null, dropped: 'insert' },
      { table: 'orderBookL2', reason: 'row 2 of insert is not an object', value: 'x', dropped: 'insert' },
    ]);
    // Order-book rows without a symbol cannot be placed in any book: listed too, in deltas and partials.
    s = reduceTables(s, frame({ table: 'orderBookL2', action: 'update', data: [{ id: 3, side: 'Buy', size: 2 }] }));
    expect(s.unusable.map((u) => [u.reason, u.dropped])).toEqual([['row 0 of update has no string symbol', 'update']]);
    expect(s.skipped).toEqual([]);
    s = reduceTables(s, frame({ table: 'orderBookL2', action: 'partial', filter: { symbol: 'ETHUSD' }, data: [{ symbol: 'ETHUSD', id: 1, side: 'Buy', size: 1, price: 9 }, { id: 2, side: 'Buy', size: 1, price: 8 }, 7] }));
    expect(s.unusable.map((u) => [u.reason, u.dropped])).toEqual([['row 1 of partial has no string symbol', 'partial'], ['row 2 of partial is not an object', 'partial']]);
    expect(bookOf(s, 'ETHUSD')?.bids.map((l) => l.price)).toEqual([9]);
    // A usable frame lists nothing.
    s = reduceTables(s, frame({ table: 'orderBookL2', action: 'update', data: [{ symbol: 'XBTUSD', id: 3, side: 'Buy', size: 3 }] }));
    expect(s.unusable).toEqual([]);
  });

  it('L2 rows with a price that is not a finite number are reported, not stored', () => {
    let s = base();
    for (const price of [null, 'x', Infinity, NaN, {}]) {
      s = reduceTables(s, frame({ table: 'orderBookL2', action: 'insert', data: [{ symbol: 'XBTUSD', id: 9, side: 'Buy', size: 1, price }] }));
      expect(s.inconsistencies).toHaveLength(1);
      s = reduceTables(s, frame({ table: 'orderBookL2', action: 'update', data: [{ symbol: 'XBTUSD', id: 1, side: 'Buy', size: 1, price }] }));
      expect(s.inconsistencies).toHaveLength(1);
    }
    expect(image(s)).toEqual(image(base()));
  });

  it('L2 rows with a size that is not a finite number >= 0 are reported, not stored (never shown as size 0)', () => {
    let s = base();
    for (const size of [null, '11', -5, Infinity, {}]) {
      s = reduceTables(s, frame({ table: 'orderBookL2', action: 'insert', data: [{ symbol: 'XBTUSD', id: 9, side: 'Buy', size, price: 98 }] }));
      expect(s.inconsistencies).toHaveLength(1);
      s = reduceTables(s, frame({ table: 'orderBookL2', action: 'update', data: [{ symbol: 'XBTUSD', id: 2, side: 'Sell', size }] }));
      expect(s.inconsistencies).toHaveLength(1);
    }
    // An insert or partial row without any size is no level either.
    s = reduceTables(s, frame({ table: 'orderBookL2', action: 'insert', data: [{ symbol: 'XBTUSD', id: 9, side: 'Buy', price: 98 }] }));
    expect(s.inconsistencies).toHaveLength(1);
    expect(image(s)).toEqual(image(base()));
    // A sparse update that leaves size out keeps the stored one.
    s = reduceTables(s, frame({ table: 'orderBookL2', action: 'update', data: [{ symbol: 'XBTUSD', id: 2, side: 'Sell', price: 102 }] }));
    expect(s.inconsistencies).toHaveLength(0);
    expect(bookOf(s, 'XBTUSD')?.asks).toEqual([{ price: 102, size: 6, id: 2 }]);
    s = reduceTables(s, frame({
      table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol: 'XBTUSD' },
      data: [{ symbol: 'XBTUSD', id: 1, side: 'Buy', size: '5', price: 99 }, { symbol: 'XBTUSD', id: 2, side: 'Sell', size: 6, price: 101 }],
    }));
    expect(s.inconsistencies).toHaveLength(1);
    expect(bookOf(s, 'XBTUSD')).toMatchObject({ bids: [], asks: [{ price: 101, size: 6, id: 2 }] });
  });

  it('orderBook10 pairs that are not a finite price and a finite size >= 0 are left out of its book, never NaN', () => {
    let s = reduceTables(emptyTables(), frame({
      table: 'orderBook10', action: 'partial', keys: ['symbol'], filter: { symbol: 'XBTUSD' },
      data: [{ symbol: 'XBTUSD', bids: [[100, 5], [99.5, 3]], asks: [[101, 2]], timestamp: '2024-01-01T00:00:00.000Z' }],
    }));
    s = reduceTables(s, frame({
      table: 'orderBook10', action: 'update',
      data: [{ symbol: 'XBTUSD', bids: [[100], null, ['99.5', '3'], [99, -1], [98.5, Infinity], [98, 4]], asks: [[101, 2], [102, null]], timestamp: '2024-01-01T00:00:01.000Z' }],
    }));
    const book = bookOf(s, 'XBTUSD', { table: 'orderBook10' });
    expect(book?.bids.map((l) => [l.price, l.size])).toEqual([[98, 4]]);
    expect(book?.asks.map((l) => [l.price, l.size])).toEqual([[101, 2]]);
  });

  it('orderBook10 pairs sent out of order still give a book best first', () => {
    const s = reduceTables(emptyTables(), frame({
      table: 'orderBook10', action: 'partial', keys: ['symbol'], filter: { symbol: 'XBTUSD' },
      data: [{ symbol: 'XBTUSD', bids: [[99, 1], [100, 5], [98, 2]], asks: [[102, 3], [101, 2]], timestamp: '2024-01-01T00:00:00.000Z' }],
    }));
    const book = bookOf(s, 'XBTUSD', { table: 'orderBook10' });
    expect(book?.bids.map((l) => l.price)).toEqual([100, 99, 98]);
    expect(book?.asks.map((l) => l.price)).toEqual([101, 102]);
  });

  it('tableKeys given with wrong shapes are ignored, not thrown at a later partial', () => {
    const opts = { tableKeys: { instrument: 'symbol', trade: null, order: ['orderID'] } } as unknown as Parameters<typeof emptyTables>[0];
    let s = emptyTables(opts);
    s = reduceTables(s, frame({ table: 'instrument', action: 'partial', data: [{ symbol: 'XBTUSD' }] }));
    s = reduceTables(s, frame({ table: 'trade', action: 'partial', data: [{ symbol: 'XBTUSD' }] }));
    expect(keysOf(s, 'instrument')).toEqual(['symbol']);
    expect(keysOf(s, 'trade')).toEqual([]);
  });

  it('trims a 100,000-row insert to maxTableLength in one pass, keeping the newest', () => {
    let s = emptyTables({ maxTableLength: 200 });
    s = reduceTables(s, frame({ table: 'trade', action: 'partial', filter: {}, data: [] }));
    const data = Array.from({ length: 100_000 }, (_, i) => ({ symbol: 'XBTUSD', n: i }));
    s = reduceTables(s, frame({ table: 'trade', action: 'insert', data }));
    const rows = rowsOf(s, 'trade');
    expect(rows).toHaveLength(200);
    expect(rows[0]?.n).toBe(99_800);
    expect(rows[199]?.n).toBe(99_999);
    // Keyed tables the same way.
    let k = emptyTables({ maxTableLength: 200 });
    k = reduceTables(k, frame({ table: 'execution', action: 'partial', keys: ['execID'], filter: {}, data: [] }));
    k = reduceTables(k, frame({ table: 'execution', action: 'insert', data: data.map((r) => ({ ...r, execID: `e${r.n}` })) }));
    expect(rowsOf(k, 'execution', 'XBTUSD')).toHaveLength(200);
    expect(rowsOf(k, 'execution', 'XBTUSD')[0]?.n).toBe(99_800);
  });

  it('rowsOf a book of 200,000 levels (no argument spread)', () => {
    const data: Row[] = [];
    for (let i = 0; i < 100_000; i++) {
      data.push({ symbol: 'XBTUSD', id: 2 * i, side: 'Buy', size: 1, price: 100_000 - i });
      data.push({ symbol: 'XBTUSD', id: 2 * i + 1, side: 'Sell', size: 1, price: 100_001 + i });
    }
    const s = reduceTables(emptyTables(), frame({ table: 'orderBookL2', action: 'partial', filter: {}, data }));
    expect(rowsOf(s, 'orderBookL2')).toHaveLength(200_000);
    expect(rowsOf(s, 'orderBookL2', 'XBTUSD')).toHaveLength(200_000);
  });

  it('a whole-table partial that no longer holds a symbol leaves it an empty book, and views emit it', () => {
    let s = emptyTables();
    const row = (symbol: string, id: number, side: string, price: number): Row => ({ symbol, id, side, size: 1, price });
    s = reduceTables(s, frame({ table: 'orderBookL2', action: 'partial', filter: {}, data: [row('XBTUSD', 1, 'Buy', 99), row('ETHUSD', 2, 'Buy', 9)] }));
    const view = createBookView('ETHUSD');
    expect(view.next(s)?.bids).toHaveLength(1);
    s = reduceTables(s, frame({ table: 'orderBookL2', action: 'partial', filter: {}, data: [row('XBTUSD', 1, 'Buy', 99)] }));
    expect(bookOf(s, 'ETHUSD')).toEqual({ symbol: 'ETHUSD', timestamp: '', bids: [], asks: [] });
    expect(view.next(s)).toEqual({ symbol: 'ETHUSD', timestamp: '', bids: [], asks: [] });
    expect(bookOf(s, 'XBTUSD')?.bids).toHaveLength(1);
  });

  it('a row whose getter reduces another chain meanwhile (re-entering reduceTables) mixes nothing up', () => {
    const keys = ['symbol', 'id', 'side'];
    const other = reduceTables(emptyTables(), frame({
      table: 'orderBookL2', action: 'partial', keys, filter: { symbol: 'ETHUSD' }, data: [{ symbol: 'ETHUSD', id: 7, side: 'Buy', size: 1, price: 10 }],
    }));
    let inner: TablesState | undefined;
    const row: Record<string, unknown> = { id: 1, side: 'Buy', size: 9, price: 99 };
    Object.defineProperty(row, 'symbol', {
      enumerable: true,
      get() {
        inner ??= reduceTables(other, frame({ table: 'orderBookL2', action: 'update', data: [{ symbol: 'ETHUSD', id: 7, side: 'Buy', size: 2, price: 10 }] }));
        return 'XBTUSD';
      },
    });
    const outer = reduceTables(base(), frame({ table: 'orderBookL2', action: 'update', data: [row] }));
    expect(bookOf(outer, 'XBTUSD')?.bids).toEqual([{ price: 99, size: 9, id: 1 }]);
    expect(bookOf(outer, 'ETHUSD')).toBeUndefined();
    expect(inner === undefined ? undefined : bookOf(inner, 'ETHUSD')?.bids).toEqual([{ price: 10, size: 2, id: 7 }]);
    expect(inner === undefined ? 'none' : bookOf(inner, 'XBTUSD')).toBeUndefined();
  });

  it('never throws on arbitrary JSON frames, and never touches another chain\'s state', () => {
    const value = fc.jsonValue({ maxDepth: 4 });
    const anyFrame = fc.oneof(
      value,
      fc.record({
        table: fc.oneof(fc.constantFrom('instrument', 'orderBookL2', 'trade', 'toString', '__proto__'), fc.string()),
        action: fc.oneof(fc.constantFrom('partial', 'insert', 'update', 'delete'), value),
        keys: fc.oneof(fc.constant(undefined), value, fc.array(fc.string())),
        filter: fc.oneof(fc.constant(undefined), value, fc.record({ symbol: fc.constantFrom('XBTUSD', 'ETHUSD') })),
        data: fc.oneof(value, fc.array(fc.oneof(value, fc.record({ symbol: fc.oneof(fc.constantFrom('XBTUSD', 'ETHUSD'), value), id: value, side: fc.oneof(fc.constantFrom('Buy', 'Sell'), value), price: value, size: value })))),
      }, { requiredKeys: ['table', 'action'] }),
    );
    fc.assert(
      fc.property(fc.array(anyFrame, { maxLength: 12 }), (frames) => {
        let s = base();
        const mark = reduceTables(emptyTables(), frame({ table: 'settlement', action: 'partial', keys: ['symbol'], filter: {}, data: [{ symbol: 'X' }] }));
        for (const f of frames) {
          s = reduceTables(s, frame(JSON.parse(JSON.stringify(f ?? null))));
          rowsOf(s, 'orderBookL2');
          bookOf(s, 'XBTUSD');
        }
        expect(rowsOf(mark, 'settlement')).toEqual([{ symbol: 'X' }]);
      }),
      { numRuns: 300 },
    );
  });
});

import type { Row, TableFrame } from '../../lib/protocol/frames';
import { bookOf, clearImage, createBookView, emptyTables, reduceTables, rowsOf } from '../../lib/reducer/reducer';
import type { BookSnapshot, TablesState } from '../../lib/reducer/reducer';

const TS = '2023-05-19T08:51:43.911Z';

/** A book with ids unrelated to prices (as since 2023): asks 101..105, bids 99..95. */
function book(table: 'orderBookL2' | 'orderBookL2_25' = 'orderBookL2', symbol = 'XBTUSD'): TablesState {
  const data: Row[] = [];
  for (let i = 0; i < 5; i++) {
    data.push({ symbol, id: 9000 - i * 7, side: 'Sell', size: 10 + i, price: 101 + i, timestamp: TS });
    data.push({ symbol, id: 1000 + i * 13, side: 'Buy', size: 20 + i, price: 99 - i, timestamp: TS });
  }
  return reduceTables(emptyTables(), { table, action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol }, data });
}

function apply(s: TablesState, action: 'insert' | 'update' | 'delete', ...data: Row[]): TablesState {
  return reduceTables(s, JSON.parse(JSON.stringify({ table: 'orderBookL2', action, data })) as TableFrame);
}

const prices = (levels: readonly { price: number }[] | undefined): number[] => (levels ?? []).map((l) => l.price);

describe('large books', () => {
  it('stay sorted and whole through growth, deletes, reused levels and price moves', () => {
    // Hundreds of levels per side: past the initial column capacity, with level slots freed
    // by deletes and reused by later inserts.
    let s = book();
    const live = new Map<number, { side: 'Buy' | 'Sell'; price: number; size: number }>();
    for (const r of rowsOf(s, 'orderBookL2', 'XBTUSD')) live.set(r.id as number, { side: r.side as 'Buy' | 'Sell', price: r.price as number, size: r.size as number });
    const row = (id: number): Row => {
      const l = live.get(id) as { side: string; price: number; size: number };
      return { symbol: 'XBTUSD', id, side: l.side, size: l.size, price: l.price, timestamp: TS };
    };
    for (let i = 0; i < 400; i++) {
      live.set(20_000 + i, { side: 'Buy', price: 94 - i * 0.5, size: i + 1 });
      live.set(40_000 + i, { side: 'Sell', price: 106 + i * 0.5, size: i + 1 });
      s = apply(s, 'insert', row(20_000 + i), row(40_000 + i));
    }
    for (let i = 0; i < 400; i += 3) {
      s = apply(s, 'delete', { symbol: 'XBTUSD', id: 20_000 + i, side: 'Buy' }, { symbol: 'XBTUSD', id: 40_000 + i, side: 'Sell' });
      live.delete(20_000 + i);
      live.delete(40_000 + i);
    }
    for (let i = 0; i < 100; i++) {
      live.set(60_000 + i, { side: 'Buy', price: 93.25 - i, size: 7 });
      s = apply(s, 'insert', row(60_000 + i));
    }
    // Price moves, both into the top and out of it.
    for (const [id, price] of [[20_001, 99.5], [40_002, 100.5], [1000, 50.25]] as const) {
      (live.get(id) as { price: number }).price = price;
      s = apply(s, 'update', row(id));
    }
    const want = (side: 'Buy' | 'Sell'): number[] =>
      [...live.values()].filter((l) => l.side === side).map((l) => l.price).sort((a, b) => (side === 'Buy' ? b - a : a - b));
    const b = bookOf(s, 'XBTUSD', { depth: 1000 });
    expect(prices(b?.bids)).toEqual(want('Buy'));
    expect(prices(b?.asks)).toEqual(want('Sell'));
    // Every stored row is the latest one given for its id, in BitMEX's partial order.
    const rows = rowsOf(s, 'orderBookL2', 'XBTUSD');
    expect(rows).toHaveLength(live.size);
    expect(rows.map((r) => r.price)).toEqual([...want('Sell')].reverse().concat(want('Buy')));
    for (const r of rows) expect(r).toEqual(row(r.id as number));
  });
});

describe('bookOf', () => {
  it('is undefined before the partial', () => {
    expect(bookOf(emptyTables(), 'XBTUSD')).toBeUndefined();
    expect(bookOf(book(), 'ETHUSD')).toBeUndefined();
  });

  it('sorts by price, not id: bids high to low, asks low to high, top N only', () => {
    const s = book();
    const b = bookOf(s, 'XBTUSD', { depth: 3 });
    expect(prices(b?.bids)).toEqual([99, 98, 97]);
    expect(prices(b?.asks)).toEqual([101, 102, 103]);
    expect(b?.bids[0]).toEqual({ price: 99, size: 20, id: 1000 });
    expect(bookOf(s, 'XBTUSD')?.bids).toHaveLength(5); // default depth 25
    expect(b?.timestamp).toBe(TS);
  });

  it('returns frozen snapshots that later frames do not change', () => {
    let s = book();
    const b = bookOf(s, 'XBTUSD', { depth: 2 });
    const copy = structuredClone(b);
    expect(Object.isFrozen(b)).toBe(true);
    expect(Object.isFrozen(b?.bids)).toBe(true);
    expect(Object.isFrozen(b?.bids[0])).toBe(true);
    s = apply(s, 'update', { symbol: 'XBTUSD', id: 1000, side: 'Buy', size: 1, price: 99, timestamp: '2023-05-19T08:51:44.000Z' });
    s = apply(s, 'delete', { symbol: 'XBTUSD', id: 9000, side: 'Sell', price: 101 });
    expect(b).toEqual(copy);
    const now = bookOf(s, 'XBTUSD', { depth: 2 });
    expect(now?.bids[0]?.size).toBe(1);
    expect(prices(now?.asks)).toEqual([102, 103]);
    expect(now?.timestamp).toBe('2023-05-19T08:51:44.000Z');
  });

  it('keeps the stored price when an update has none, and moves the level when the price changes', () => {
    let s = book();
    s = apply(s, 'update', { symbol: 'XBTUSD', id: 1013, side: 'Buy', size: 7 });
    expect(s.changes[0]?.rows[0]).toEqual({ symbol: 'XBTUSD', id: 1013, side: 'Buy', size: 7, price: 98, timestamp: TS });
    expect(bookOf(s, 'XBTUSD', { depth: 2 })?.bids[1]).toEqual({ price: 98, size: 7, id: 1013 });
    // 95 -> 100: from the bottom of the bids to the top.
    s = apply(s, 'update', { symbol: 'XBTUSD', id: 1052, side: 'Buy', price: 100 });
    expect(prices(bookOf(s, 'XBTUSD')?.bids)).toEqual([100, 99, 98, 97, 96]);
    expect(bookOf(s, 'XBTUSD')?.bids[0]).toEqual({ price: 100, size: 24, id: 1052 });
  });

  it('stores rows with the times they arrived with, whichever strings they share', () => {
    const T2 = '2023-05-19T08:51:44.000Z';
    const rows: Row[] = [
      { symbol: 'XBTUSD', id: 1, side: 'Buy', size: 1, price: 90, timestamp: TS, transactTime: TS },
      { symbol: 'XBTUSD', id: 2, side: 'Buy', size: 2, price: 89, timestamp: TS, transactTime: T2 },
      { symbol: 'XBTUSD', id: 3, side: 'Sell', size: 3, price: 110, timestamp: T2, transactTime: TS },
      { symbol: 'XBTUSD', id: 4, side: 'Sell', size: 4, price: 111, timestamp: T2, transactTime: T2 },
      { symbol: 'XBTUSD', id: 5, side: 'Sell', size: 5, price: 112, transactTime: 7 },
    ];
    let s = book();
    for (const r of rows) s = apply(s, 'insert', r);
    s = apply(s, 'update', { ...rows[0], size: 9, timestamp: T2, transactTime: T2 }, { ...rows[1], size: 8 });
    const byId = new Map(rowsOf(s, 'orderBookL2', 'XBTUSD').map((r) => [r.id, r]));
    expect(byId.get(1)).toEqual({ ...rows[0], size: 9, timestamp: T2, transactTime: T2 });
    expect(byId.get(2)).toEqual({ ...rows[1], size: 8 });
    for (const r of rows.slice(2)) expect(byId.get(r.id)).toEqual(r);
    for (const r of byId.values()) expect(Object.isFrozen(r)).toBe(true);
  });

  it('puts a new level at the price of a deleted one, and levels moving onto emptied prices', () => {
    let s = book();
    const bookView = createBookView('XBTUSD', { depth: 3 });
    let last: BookSnapshot | undefined;
    // The latest snapshot, whether or not this frame changed the top 3.
    const view = (st: TablesState): BookSnapshot | undefined => (last = bookView.next(st) ?? last);
    expect(prices(view(s)?.bids)).toEqual([99, 98, 97]);
    s = apply(s, 'delete', { symbol: 'XBTUSD', id: 1000, side: 'Buy' });
    expect(prices(view(s)?.bids)).toEqual([98, 97, 96]);
    expect(bookOf(s, 'XBTUSD', { depth: 10 })?.bids).toHaveLength(4);
    expect(rowsOf(s, 'orderBookL2', 'XBTUSD')).toHaveLength(9);
    // A new level (new id) at the emptied price.
    s = apply(s, 'insert', { symbol: 'XBTUSD', id: 77, side: 'Buy', size: 3, price: 99, timestamp: TS });
    expect(view(s)?.bids).toEqual([
      { price: 99, size: 3, id: 77 },
      { price: 98, size: 21, id: 1013 },
      { price: 97, size: 22, id: 1026 },
    ]);
    // Two levels at one price, both deleted, then a third: still one level there.
    s = apply(s, 'insert', { symbol: 'XBTUSD', id: 78, side: 'Buy', size: 4, price: 99 });
    s = apply(s, 'delete', { symbol: 'XBTUSD', id: 77, side: 'Buy' }, { symbol: 'XBTUSD', id: 78, side: 'Buy' });
    s = apply(s, 'insert', { symbol: 'XBTUSD', id: 79, side: 'Buy', size: 5, price: 99 });
    // A level moves onto the price of an emptied level.
    s = apply(s, 'delete', { symbol: 'XBTUSD', id: 1013, side: 'Buy' });
    s = apply(s, 'update', { symbol: 'XBTUSD', id: 1026, side: 'Buy', price: 98 });
    s = apply(s, 'insert', { symbol: 'XBTUSD', id: 80, side: 'Buy', size: 6, price: 97 });
    const want = [
      { price: 99, size: 5, id: 79 },
      { price: 98, size: 22, id: 1026 },
      { price: 97, size: 6, id: 80 },
      { price: 96, size: 23, id: 1039 },
      { price: 95, size: 24, id: 1052 },
    ];
    expect(bookOf(s, 'XBTUSD', { depth: 10 })?.bids).toEqual(want);
    expect(view(s)?.bids).toEqual(want.slice(0, 3));
    expect(rowsOf(s, 'orderBookL2', 'XBTUSD').filter((r) => r.side === 'Buy').map((r) => r.id)).toEqual(want.map((l) => l.id));
  });

  it('stays sorted when many levels come and most go again', () => {
    let s = book();
    for (let i = 0; i < 200; i++) s = apply(s, 'insert', { symbol: 'XBTUSD', id: 5000 + i, side: 'Sell', size: 1, price: 200 + i });
    for (let i = 0; i < 190; i++) s = apply(s, 'delete', { symbol: 'XBTUSD', id: 5000 + i, side: 'Sell' });
    const asks = bookOf(s, 'XBTUSD', { depth: 100 })?.asks ?? [];
    expect(prices(asks)).toEqual([101, 102, 103, 104, 105, ...Array.from({ length: 10 }, (_, i) => 390 + i)]);
    s = apply(s, 'insert', { symbol: 'XBTUSD', id: 6000, side: 'Sell', size: 2, price: 250 });
    expect(prices(bookOf(s, 'XBTUSD', { depth: 7 })?.asks)).toEqual([101, 102, 103, 104, 105, 250, 390]);
    expect(rowsOf(s, 'orderBookL2', 'XBTUSD')).toHaveLength(21);
  });

  it('merges an update into a level whose row has other keys than the rest', () => {
    let s = book();
    s = apply(s, 'insert', { symbol: 'XBTUSD', id: 5, side: 'Buy', size: 1, price: 90, timestamp: TS, venue: 'x' });
    s = apply(s, 'insert', { symbol: 'XBTUSD', id: 6, side: 'Buy', size: 1, price: 89, timestamp: TS });
    // A whole row by BitMEX's keys, but without the extra field this level was stored with.
    s = apply(s, 'update', { symbol: 'XBTUSD', id: 5, side: 'Buy', size: 2, price: 90, timestamp: TS });
    s = apply(s, 'update', { symbol: 'XBTUSD', id: 1000, side: 'Buy', size: 3, price: 99, timestamp: TS });
    const byId = new Map(rowsOf(s, 'orderBookL2', 'XBTUSD').map((r) => [r.id, r]));
    expect(byId.get(5)).toEqual({ symbol: 'XBTUSD', id: 5, side: 'Buy', size: 2, price: 90, timestamp: TS, venue: 'x' });
    expect(byId.get(1000)).toEqual({ symbol: 'XBTUSD', id: 1000, side: 'Buy', size: 3, price: 99, timestamp: TS });
  });

  it('keeps two levels that share a price', () => {
    let s = book();
    s = apply(s, 'insert', { symbol: 'XBTUSD', id: 5, side: 'Buy', size: 1, price: 99 });
    expect(bookOf(s, 'XBTUSD', { depth: 3 })?.bids).toEqual([
      { price: 99, size: 1, id: 5 },
      { price: 99, size: 20, id: 1000 },
      { price: 98, size: 21, id: 1013 },
    ]);
    expect(rowsOf(s, 'orderBookL2', 'XBTUSD')).toHaveLength(11);
  });

  it('reads orderBookL2_25 and orderBook10 when asked, orderBookL2 first by default', () => {
    let s = book('orderBookL2_25');
    expect(prices(bookOf(s, 'XBTUSD')?.asks)).toEqual([101, 102, 103, 104, 105]);
    expect(bookOf(s, 'XBTUSD', { table: 'orderBookL2' })).toBeUndefined();
    s = reduceTables(s, {
      table: 'orderBook10',
      action: 'partial',
      keys: ['symbol'],
      filter: { symbol: 'XBTUSD' },
      data: [{ symbol: 'XBTUSD', bids: [[50, 1], [49, 2]], asks: [[51, 3]], timestamp: TS }],
    });
    expect(bookOf(s, 'XBTUSD', { table: 'orderBook10', depth: 1 })).toEqual({ symbol: 'XBTUSD', timestamp: TS, bids: [{ price: 50, size: 1, id: undefined }], asks: [{ price: 51, size: 3, id: undefined }] });
    s = reduceTables(s, { table: 'orderBook10', action: 'update', data: [{ symbol: 'XBTUSD', bids: [[50, 5]], asks: [[52, 1]], timestamp: TS }] });
    expect(bookOf(s, 'XBTUSD', { table: 'orderBook10' })?.bids).toEqual([{ price: 50, size: 5, id: undefined }]);
    expect(prices(bookOf(s, 'XBTUSD')?.asks)).toEqual([101, 102, 103, 104, 105]);
  });

  it('is gone after clearImage', () => {
    const s = clearImage(book(), 'orderBookL2', { symbol: 'XBTUSD' });
    expect(bookOf(s, 'XBTUSD')).toBeUndefined();
  });
});

describe('createBookView', () => {
  it('emits only when the top N changes, reusing unchanged levels', () => {
    const view = createBookView('XBTUSD', { depth: 2 });
    let s = book();
    const first = view.next(s);
    expect(prices(first?.bids)).toEqual([99, 98]);
    expect(view.next(s)).toBeUndefined();

    // Beyond the top 2 on both sides: nothing to emit.
    s = apply(s, 'update', { symbol: 'XBTUSD', id: 1026, side: 'Buy', size: 1, price: 97 }, { symbol: 'XBTUSD', id: 8986, side: 'Sell', size: 1, price: 103 });
    expect(view.next(s)).toBeUndefined();

    // The best bid's size: a new snapshot; the unchanged levels are the same objects.
    s = apply(s, 'update', { symbol: 'XBTUSD', id: 1000, side: 'Buy', size: 2, price: 99 });
    const second = view.next(s);
    expect(second?.bids[0]).toEqual({ price: 99, size: 2, id: 1000 });
    expect(second?.bids[1]).toBe(first?.bids[1]);
    expect(second?.asks[0]).toBe(first?.asks[0]);
    // An unchanged side is the previous snapshot's frozen array itself.
    expect(second?.asks).toBe(first?.asks);
    expect(second?.bids).not.toBe(first?.bids);

    // An update at the Nth price counts.
    s = apply(s, 'update', { symbol: 'XBTUSD', id: 1013, side: 'Buy', size: 3, price: 98 });
    expect(view.next(s)?.bids[1]?.size).toBe(3);

    // A same-size update in the top (only the timestamp changes): the top N is unchanged.
    s = apply(s, 'update', { symbol: 'XBTUSD', id: 1013, side: 'Buy', size: 3, price: 98, timestamp: '2023-05-19T08:52:00.000Z' });
    expect(view.next(s)).toBeUndefined();
  });

  it('walks again after missed frames and after a partial', () => {
    const view = createBookView('XBTUSD', { depth: 2 });
    let s = book();
    view.next(s);
    // Two frames, the view sees only the second: the first one moved the top.
    s = apply(s, 'update', { symbol: 'XBTUSD', id: 1000, side: 'Buy', size: 99, price: 99 });
    s = apply(s, 'update', { symbol: 'XBTUSD', id: 1052, side: 'Buy', size: 1, price: 95 });
    expect(view.next(s)?.bids[0]?.size).toBe(99);
    // A partial rebuilds the book: the view walks it whatever the touched prices say.
    s = reduceTables(s, {
      table: 'orderBookL2',
      action: 'partial',
      keys: ['symbol', 'id', 'side'],
      filter: { symbol: 'XBTUSD' },
      data: [
        { symbol: 'XBTUSD', id: 1, side: 'Buy', size: 1, price: 50 },
        { symbol: 'XBTUSD', id: 2, side: 'Sell', size: 1, price: 60 },
      ],
    });
    const after = view.next(s);
    expect(prices(after?.bids)).toEqual([50]);
    expect(prices(after?.asks)).toEqual([60]);
  });

  it('handles a side with fewer than N levels', () => {
    const view = createBookView('XBTUSD', { depth: 10 });
    let s = book();
    view.next(s);
    s = apply(s, 'insert', { symbol: 'XBTUSD', id: 3, side: 'Buy', size: 1, price: 1 });
    expect(prices(view.next(s)?.bids)).toEqual([99, 98, 97, 96, 95, 1]);
  });

  it('returns undefined without a book and follows orderBook10 rows', () => {
    const view = createBookView('XBTUSD', { table: 'orderBook10', depth: 10 });
    let s = emptyTables();
    expect(view.next(s)).toBeUndefined();
    s = reduceTables(s, { table: 'orderBook10', action: 'partial', keys: ['symbol'], filter: { symbol: 'XBTUSD' }, data: [{ symbol: 'XBTUSD', bids: [[50, 1]], asks: [[51, 3]], timestamp: TS }] });
    const a = view.next(s);
    expect(a?.bids).toEqual([{ price: 50, size: 1, id: undefined }]);
    expect(view.next(s)).toBeUndefined();
    s = reduceTables(s, { table: 'orderBook10', action: 'update', data: [{ symbol: 'XBTUSD', bids: [[50, 1]], asks: [[51, 4]], timestamp: TS }] });
    const b = view.next(s);
    expect(b?.asks).toEqual([{ price: 51, size: 4, id: undefined }]);
    expect(b?.bids[0]).toBe(a?.bids[0]);
  });
});

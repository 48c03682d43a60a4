/**
 * What the book does inside, where no behaviour shows it: a same-price update changes no index,
 * and a book view reads no level of a side whose top a frame left alone (it tells by identity).
 * Observed through a wrapped ./book-side module, registered before the library is loaded.
 */
import type { Row, TableFrame } from '../../lib/protocol/frames';
import type { BookSnapshot, TablesState } from '../../lib/reducer/reducer';

type BookSide = typeof import('../../lib/book/book-side');
jest.doMock('../../lib/book/book-side', () => {
  const actual = jest.requireActual<BookSide>('../../lib/book/book-side');
  return { ...actual, topRowsInto: jest.fn(actual.topRowsInto), placeLevel: jest.fn(actual.placeLevel), replaceLevel: jest.fn(actual.replaceLevel) };
});
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bookSide = require('../../lib/book/book-side') as { [K in 'topRowsInto' | 'placeLevel' | 'replaceLevel']: jest.Mock };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { bookOf, createBookView, emptyTables, reduceTables } = require('../../lib/reducer/reducer') as typeof import('../../lib/reducer/reducer');

const TS = '2023-05-19T08:51:43.911Z';

/** A book with ids unrelated to prices (as since 2023): asks 101..105, bids 99..95. */
function book(): TablesState {
  const data: Row[] = [];
  for (let i = 0; i < 5; i++) {
    data.push({ symbol: 'XBTUSD', id: 9000 - i * 7, side: 'Sell', size: 10 + i, price: 101 + i, timestamp: TS });
    data.push({ symbol: 'XBTUSD', id: 1000 + i * 13, side: 'Buy', size: 20 + i, price: 99 - i, timestamp: TS });
  }
  return reduceTables(emptyTables(), { table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol: 'XBTUSD' }, data });
}

function apply(s: TablesState, action: 'insert' | 'update' | 'delete', ...data: Row[]): TablesState {
  return reduceTables(s, JSON.parse(JSON.stringify({ table: 'orderBookL2', action, data })) as TableFrame);
}

const prices = (levels: readonly { price: number }[] | undefined): number[] => (levels ?? []).map((l) => l.price);

beforeEach(() => {
  bookSide.topRowsInto.mockClear();
  bookSide.placeLevel.mockClear();
  bookSide.replaceLevel.mockClear();
});

describe('book internals', () => {
  it('changes no index for a same-price update and leaves the older state as it was', () => {
    const s = book();
    const place = bookSide.placeLevel;
    const replace = bookSide.replaceLevel;
    {
      const next = apply(s, 'update', { symbol: 'XBTUSD', id: 1000, side: 'Buy', size: 5, price: 99, timestamp: TS });
      expect(next.changes[0]?.rows[0]?.size).toBe(5);
      expect(replace).toHaveBeenCalledTimes(1);
      expect(place).not.toHaveBeenCalled();
      // A price move goes through the id index.
      apply(next, 'update', { symbol: 'XBTUSD', id: 1000, side: 'Buy', price: 99.5 });
      expect(place).toHaveBeenCalledTimes(1);
      expect(bookOf(s, 'XBTUSD', { depth: 1 })?.bids[0]).toEqual({ price: 99, size: 20, id: 1000 });
      expect(bookOf(next, 'XBTUSD', { depth: 1 })?.bids[0]).toEqual({ price: 99, size: 5, id: 1000 });
    }
  });

  /** The book of book(), with 200 more levels per side behind its top. */
  function deep(): TablesState {
    let s = book();
    const rows: Row[] = [];
    for (let i = 0; i < 200; i++) {
      rows.push({ symbol: 'XBTUSD', id: 20_000 + i, side: 'Buy', size: 1, price: 90 - i });
      rows.push({ symbol: 'XBTUSD', id: 40_000 + i, side: 'Sell', size: 1, price: 110 + i });
    }
    s = apply(s, 'insert', ...rows);
    return s;
  }

  it('skips frames beyond the top N without walking the book (by identity)', () => {
    const view = createBookView('XBTUSD', { depth: 2 });
    let s = deep();
    view.next(s);
    const walk = bookSide.topRowsInto;
    walk.mockClear();
    {
      s = apply(s, 'delete', { symbol: 'XBTUSD', id: 20_150, side: 'Buy', price: -60 });
      expect(view.next(s)).toBeUndefined();
      s = apply(s, 'insert', { symbol: 'XBTUSD', id: 77, side: 'Sell', size: 1, price: 400 });
      expect(view.next(s)).toBeUndefined();
      expect(walk).not.toHaveBeenCalled();
      // A touch inside the top walks (O(N)) and emits.
      s = apply(s, 'insert', { symbol: 'XBTUSD', id: 78, side: 'Sell', size: 1, price: 100.5 });
      expect(prices(view.next(s)?.asks)).toEqual([100.5, 101]);
      expect(walk).toHaveBeenCalled();
    }
  });

  it('reads only the side a frame touched within its top', () => {
    const view = createBookView('XBTUSD', { depth: 2 });
    let s = deep();
    const first = view.next(s);
    const head = bookSide.topRowsInto;
    head.mockClear();
    {
      // The best ask's size, and a bid far beyond the top 2: only the asks are read.
      s = apply(s, 'update', { symbol: 'XBTUSD', id: 9000, side: 'Sell', size: 1, price: 101 }, { symbol: 'XBTUSD', id: 20_180, side: 'Buy', size: 9, price: -90 });
      const second = view.next(s);
      expect(head).toHaveBeenCalledTimes(1);
      expect(second?.asks[0]).toEqual({ price: 101, size: 1, id: 9000 });
      expect(second?.bids).toBe(first?.bids);
      // A bid moving into the top: the bids are read again.
      s = apply(s, 'update', { symbol: 'XBTUSD', id: 20_180, side: 'Buy', price: 99.5 });
      expect(prices(view.next(s)?.bids)).toEqual([99.5, 99]);
      expect(head).toHaveBeenCalledTimes(2);
    }
  });

});

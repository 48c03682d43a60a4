import { Subject, toArray, firstValueFrom, of } from 'rxjs';
import { PriceGrid, contractOf, cumulativeBook, groupBook, notionalFn, type BookLevel, type BookSnapshot, type DepthSnapshot } from '../../lib';

function lv(price: number, size: number, id?: number): BookLevel {
  return { price, size, id };
}

function snap(bids: [number, number][], asks: [number, number][], timestamp = 't'): BookSnapshot {
  return {
    symbol: 'ETHUSD',
    timestamp,
    bids: bids.map(([p, s], i) => lv(p, s, i + 1)),
    asks: asks.map(([p, s], i) => lv(p, s, 100 + i)),
  };
}

const pairs = (levels: readonly BookLevel[]): [number, number][] => levels.map((l) => [l.price, l.size]);

describe('PriceGrid', () => {
  it('puts bids at the lower edge and asks at the upper edge of their bucket, exactly', () => {
    const grid = new PriceGrid(0.25, 0.05);
    expect(grid.price(grid.bidBucket(3000.2))).toBe(3000);
    expect(grid.price(grid.bidBucket(3000.25))).toBe(3000.25);
    expect(grid.price(grid.askBucket(3000.05))).toBe(3000.25);
    expect(grid.price(grid.askBucket(3000.25))).toBe(3000.25);
    expect(grid.price(grid.askBucket(3000.3))).toBe(3000.5);
    // Float division would misplace these: 0.3 / 0.1 is 2.9999999999999996.
    const tenth = new PriceGrid(0.1, 0.05);
    expect(tenth.price(tenth.bidBucket(0.3))).toBe(0.3);
    expect(tenth.price(tenth.askBucket(0.3))).toBe(0.3);
    expect(tenth.price(tenth.bidBucket(3000.15))).toBe(3000.1);
    expect(tenth.price(tenth.askBucket(3000.15))).toBe(3000.2);
  });

  it('places prices off the tick grid in the right bucket', () => {
    const grid = new PriceGrid(1, 0.5);
    expect(grid.price(grid.bidBucket(100.96))).toBe(100);
    expect(grid.price(grid.askBucket(100.04))).toBe(101);
  });

  it('rejects a group that is not a positive multiple of the tick size with a TypeError', () => {
    for (const g of [0, -5, Number.NaN, Infinity, '5' as unknown as number]) expect(() => new PriceGrid(g, 0.5)).toThrow(TypeError);
    expect(() => new PriceGrid(0.75, 0.5)).toThrow(/not a multiple of the tick size 0.5/);
    expect(() => new PriceGrid(0.07, 0.05)).toThrow(TypeError);
    expect(() => new PriceGrid(10, 0)).toThrow(TypeError);
    expect(new PriceGrid(10, 0.5).groupUnits).toBe(100);
    expect(new PriceGrid(0.15, 0.05).group).toBe(0.15);
  });
});

describe('contractOf / notionalFn', () => {
  it('values inverse contracts per 1 / price and others per price, as BitMEX values a trade', () => {
    const xbt = contractOf({ symbol: 'XBTUSD', tickSize: 0.5, multiplier: -100000000, isInverse: true });
    expect(xbt).toEqual({ tickSize: 0.5, multiplier: -100000000, isInverse: true });
    expect(notionalFn(xbt)?.(50000, 100)).toBe(200000); // 100 USD at 50,000 = 0.002 XBT = 200,000 XBt
    // Without isInverse, a negative multiplier says inverse.
    expect(notionalFn({ multiplier: -100000000 })?.(50000, 100)).toBe(200000);
    const eth = contractOf({ symbol: 'ETHUSD', tickSize: 0.05, multiplier: 100, isQuanto: true });
    expect(notionalFn(eth)?.(3000, 2)).toBe(600000);
    expect(notionalFn(contractOf({ symbol: 'X', tickSize: 'a', multiplier: null }))).toBeUndefined();
    expect(contractOf(undefined)).toEqual({});
  });
});

describe('groupBook', () => {
  it('sums levels into buckets, bids rounded down and asks up, depth buckets per side', async () => {
    const book = snap(
      [[3000, 1], [2999.95, 2], [2999.5, 4], [2999.45, 8], [2998, 16]],
      [[3000.05, 1], [3000.5, 2], [3000.55, 4], [3001, 8]],
    );
    const out = await firstValueFrom(of(book).pipe(groupBook({ group: 0.5, depth: 2, tickSize: 0.05 })));
    expect(pairs(out.bids)).toEqual([[3000, 1], [2999.5, 6]]);
    expect(pairs(out.asks)).toEqual([[3000.5, 3], [3001, 12]]);
    expect(out.bids[0]?.id).toBeUndefined();
    expect(out.symbol).toBe('ETHUSD');
    expect(Object.isFrozen(out) && Object.isFrozen(out.bids) && Object.isFrozen(out.bids[0])).toBe(true);
  });

  it('adds running totals of size and value with cumulative', async () => {
    const book = snap([[50000, 100], [49999.5, 100], [49990, 300]], [[50000.5, 200]]);
    const notional = notionalFn({ multiplier: -100000000 });
    const out = await firstValueFrom(of(book).pipe(groupBook({ group: 10, tickSize: 0.5, cumulative: true, ...(notional ? { notional } : {}) })));
    expect(out.bids.map((l) => [l.price, l.size, l.cumSize])).toEqual([[50000, 100, 100], [49990, 400, 500]]);
    const v = (p: number, s: number): number => (100000000 * s) / p;
    expect(out.bids[1]?.cumNotional).toBeCloseTo(v(50000, 100) + v(49999.5, 100) + v(49990, 300), 6);
    expect(out.asks.map((l) => [l.price, l.size, l.cumSize])).toEqual([[50010, 200, 200]]);
  });

  it('keeps unchanged buckets (and sides) as the same objects, and emits nothing when no visible bucket changed', async () => {
    const src = new Subject<BookSnapshot>();
    const seen = firstValueFrom(src.pipe(groupBook({ group: 1, depth: 2, tickSize: 0.5, cumulative: true }), toArray()));
    src.next(snap([[100, 1], [99.5, 1], [99, 5], [97, 1]], [[101, 1], [102, 1], [103, 1]]));
    // Sizes move between levels of one bucket: bucket 99 unchanged; beyond depth: 97 changes.
    src.next(snap([[100, 1], [99.5, 1], [99, 5], [97, 9]], [[101, 1], [102, 1], [103, 7]]));
    // Best ask bucket changes: bids reused, asks' second bucket's total changes too.
    src.next(snap([[100, 1], [99.5, 1], [99, 5]], [[101, 2], [102, 1]], 'later'));
    src.complete();
    const out: DepthSnapshot[] = await seen;
    expect(out).toHaveLength(2);
    const [a, b] = out as [DepthSnapshot, DepthSnapshot];
    expect(b.bids).toBe(a.bids);
    expect(b.asks).not.toBe(a.asks);
    expect(b.asks.map((l) => [l.price, l.size, l.cumSize])).toEqual([[101, 2, 2], [102, 1, 3]]);
    expect(b.timestamp).toBe('later');
  });

  it('throws a TypeError at once for a group that is not a multiple of the tick size, or a bad depth', () => {
    expect(() => groupBook({ group: 0.3, tickSize: 0.5 })).toThrow(TypeError);
    expect(() => groupBook({ group: 1, depth: -1 })).toThrow(TypeError);
    expect(() => groupBook({ group: 1, depth: 2.5 })).toThrow(TypeError);
  });

  it('keeps a state per subscription', async () => {
    const grouped = of(snap([[10, 1]], [[11, 1]]), snap([[10, 1]], [[11, 1]])).pipe(groupBook({ group: 1 }));
    expect(await firstValueFrom(grouped.pipe(toArray()))).toHaveLength(1);
    expect(await firstValueFrom(grouped.pipe(toArray()))).toHaveLength(1);
  });
});

describe('cumulativeBook', () => {
  it('adds running totals to each level, reusing unchanged levels', async () => {
    const notional = notionalFn({ multiplier: 100 });
    const out = await firstValueFrom(
      of(snap([[10, 1], [9, 2]], [[11, 3]]), snap([[10, 1], [9, 2]], [[11, 4]]), snap([[10, 1], [9, 2]], [[11, 4]])).pipe(
        cumulativeBook(notional ? { notional } : {}),
        toArray(),
      ),
    );
    expect(out).toHaveLength(2);
    const [a, b] = out as [DepthSnapshot, DepthSnapshot];
    expect(a.bids.map((l) => [l.price, l.size, l.id, l.cumSize, l.cumNotional])).toEqual([[10, 1, 1, 1, 1000], [9, 2, 2, 3, 2800]]);
    expect(b.bids).toBe(a.bids);
    expect(b.asks[0]?.cumSize).toBe(4);
  });
});

/**
 * Every state is a value: the RxJS patterns that hold a state past the next frame (issue 12)
 * all give correct books. Each runs a deterministic stream of orderBookL2 frames through real
 * rxjs operators and compares every book read with an independent model of the book at that
 * step (a plain map per side, sorted on demand).
 */
import { asapScheduler, concat, defer, firstValueFrom, from, lastValueFrom, merge, Observable, of, throwError } from 'rxjs';
import { bufferCount, map, observeOn, pairwise, repeat, retry, scan, shareReplay, take, toArray } from 'rxjs/operators';
import type { Row, TableFrame } from '../../lib/protocol/frames';
import { bookOf, emptyTables, reduceTables, rowsOf } from '../../lib/reducer/reducer';
import type { BookSnapshot, TablesState } from '../../lib/reducer/reducer';

const SYMBOL = 'XBTUSD';
const DEPTH = 5;
type Top = { bids: [number, number][]; asks: [number, number][] };

/** A partial of 8 levels per side, then `n` deltas near the top; and the model's top after each frame. */
function stream(n: number, seed = 7): { frames: TableFrame[]; tops: Top[] } {
  let x = seed;
  const rnd = (k: number): number => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % k;
  };
  const live = new Map<number, Row>();
  let nextId = 1;
  const level = (side: 'Buy' | 'Sell', price: number, size: number): Row => ({ symbol: SYMBOL, id: nextId++, side, size, price });
  const partial: Row[] = [];
  for (let i = 0; i < 8; i++) partial.push(level('Sell', 101 + i, 10 + i), level('Buy', 99 - i, 20 + i));
  for (const r of partial) live.set(r.id as number, r);
  const frames: TableFrame[] = [{ table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol: SYMBOL }, data: partial }];
  const top = (): Top => {
    const side = (s: string, dir: number): [number, number][] =>
      [...live.values()]
        .filter((r) => r.side === s)
        .sort((a, b) => dir * ((a.price as number) - (b.price as number)) || (a.id as number) - (b.id as number))
        .slice(0, DEPTH)
        .map((r) => [r.price as number, r.size as number]);
    return { bids: side('Buy', -1), asks: side('Sell', 1) };
  };
  const tops = [top()];
  for (let i = 0; i < n; i++) {
    const ids = [...live.keys()];
    const kind = rnd(10);
    let frame: TableFrame;
    if (kind < 6 && ids.length > 0) {
      const old = live.get(ids[rnd(ids.length)] as number) as Row;
      const r: Row = { ...old, size: 1 + rnd(500) };
      live.set(r.id as number, r);
      frame = { table: 'orderBookL2', action: 'update', data: [r] };
    } else if (kind < 8 || ids.length < 4) {
      const side = rnd(2) === 0 ? 'Buy' : 'Sell';
      const r = level(side, side === 'Buy' ? 99.5 - rnd(12) : 100.5 + rnd(12), 1 + rnd(500));
      live.set(r.id as number, r);
      frame = { table: 'orderBookL2', action: 'insert', data: [r] };
    } else {
      const old = live.get(ids[rnd(ids.length)] as number) as Row;
      live.delete(old.id as number);
      frame = { table: 'orderBookL2', action: 'delete', data: [{ symbol: SYMBOL, id: old.id, side: old.side, price: old.price }] };
    }
    frames.push(frame);
    tops.push(top());
  }
  // Frames as they come off the socket: fresh objects, so the reducer may freeze them.
  return { frames: frames.map((f) => JSON.parse(JSON.stringify(f)) as TableFrame), tops };
}

const topOf = (b: BookSnapshot | undefined): Top => ({
  bids: (b?.bids ?? []).map((l) => [l.price, l.size]),
  asks: (b?.asks ?? []).map((l) => [l.price, l.size]),
});
const read = (s: TablesState): Top => topOf(bookOf(s, SYMBOL, { depth: DEPTH }));

/** Fresh frame objects for each subscription (a frame is frozen by the reducer that keeps its rows). */
const frames$ = (frames: readonly TableFrame[]): Observable<TableFrame> => defer(() => from(frames.map((f) => JSON.parse(JSON.stringify(f)) as TableFrame)));

describe('reducer states through rxjs operators', () => {
  const { frames, tops } = stream(120);

  it('pairwise: both states of every pair read correctly', async () => {
    const pairs = await lastValueFrom(
      frames$(frames).pipe(
        scan(reduceTables, emptyTables()),
        pairwise(),
        map(([a, b]) => [read(a), read(b)]),
        toArray(),
      ),
    );
    expect(pairs).toHaveLength(frames.length - 1);
    pairs.forEach(([a, b], i) => {
      expect(a).toEqual(tops[i]);
      expect(b).toEqual(tops[i + 1]);
    });
  });

  it('observeOn(asapScheduler): states of a synchronous burst are read later, each correct', async () => {
    const seen = await lastValueFrom(
      frames$(frames).pipe(
        scan(reduceTables, emptyTables()),
        observeOn(asapScheduler),
        map(read),
        toArray(),
      ),
    );
    expect(seen).toEqual(tops);
  });

  it('toArray: any state of the run, read afterwards in any order', async () => {
    const all = await lastValueFrom(frames$(frames).pipe(scan(reduceTables, emptyTables()), toArray()));
    expect(read(all[10] as TablesState)).toEqual(tops[10]);
    for (let i = all.length - 1; i >= 0; i -= 3) expect(read(all[i] as TablesState)).toEqual(tops[i]);
    expect(read(all[0] as TablesState)).toEqual(tops[0]);
  });

  it('retry upstream of scan: the stream restarts and the seed is reduced again', async () => {
    let attempt = 0;
    const flaky = defer(() => {
      attempt++;
      // The first attempt fails after 40 frames.
      return attempt === 1 ? concat(frames$(frames.slice(0, 40)), throwError(() => new Error('socket dropped'))) : frames$(frames);
    });
    const seed = emptyTables();
    const last = await lastValueFrom(
      defer(() => flaky.pipe(scan(reduceTables, seed), toArray())).pipe(retry(1)),
    );
    expect(attempt).toBe(2);
    last.forEach((s, i) => expect(read(s)).toEqual(tops[i]));
  });

  it('retry and repeat upstream of scan: the scan goes on over a restarted stream', async () => {
    let attempt = 0;
    const source = defer(() => (++attempt === 1 ? concat(frames$(frames.slice(0, 30)), throwError(() => new Error('drop'))) : frames$(frames)));
    const states = await lastValueFrom(source.pipe(retry(1), repeat(2), scan(reduceTables, emptyTables()), toArray()));
    // 30 frames, then the whole stream twice (each starting with its partial).
    expect(states).toHaveLength(30 + 2 * frames.length);
    states.slice(0, 30).forEach((s, i) => expect(read(s)).toEqual(tops[i]));
    states.slice(30).forEach((s, i) => expect(read(s)).toEqual(tops[i % frames.length]));
  });

  it('shareReplay read late: replayed states are still correct', async () => {
    const shared = frames$(frames).pipe(scan(reduceTables, emptyTables()), shareReplay(10));
    await lastValueFrom(shared); // the run is over
    const late = await lastValueFrom(shared.pipe(map(read), toArray()));
    expect(late).toEqual(tops.slice(-10));
  });

  it('the same seed reduced twice (merge of one scan, no defer): two independent branches', async () => {
    // One array of frame objects, subscribed twice: the same rows reach both branches too.
    const once = frames.map((f) => JSON.parse(JSON.stringify(f)) as TableFrame);
    const states$ = from(once).pipe(scan(reduceTables, emptyTables()));
    const both = await lastValueFrom(merge(states$, states$).pipe(map(read), toArray()));
    expect(both).toEqual([...tops, ...tops]);
  });

  it('bufferCount: states held in buffers read correctly, also after a branch from an older one', async () => {
    const buffers = await lastValueFrom(frames$(frames).pipe(scan(reduceTables, emptyTables()), bufferCount(16), toArray()));
    const flat = buffers.flat();
    flat.forEach((s, i) => expect(read(s)).toEqual(tops[i]));
    // A branch from state 5 leaves every later state as it was.
    const branch = reduceTables(flat[5] as TablesState, { table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol: SYMBOL }, data: [] });
    expect(read(branch)).toEqual({ bids: [], asks: [] });
    flat.forEach((s, i) => expect(read(s)).toEqual(tops[i]));
    expect(rowsOf(flat[5] as TablesState, 'orderBookL2', SYMBOL).length).toBeGreaterThan(0);
  });

  it('a single frame: of() through scan gives the partial book', async () => {
    const s = await firstValueFrom(of(JSON.parse(JSON.stringify(frames[0])) as TableFrame).pipe(scan(reduceTables, emptyTables()), take(1)));
    expect(read(s)).toEqual(tops[0]);
  });
});

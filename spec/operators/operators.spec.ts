/**
 * The public operators (`reduceFrames`, `tableOf$`, `changesOf$`, `bookOf$`) over recorded
 * frames, and a recording of live traffic replayed through them into the client's own books.
 */
import { filter, from, lastValueFrom, map, Subject, toArray, type Observable } from 'rxjs';
import {
  bookOf,
  bookOf$,
  changesOf$,
  parseFrame,
  reduceFrames,
  tableOf$,
  type BookSnapshot,
  type Row,
  type ServerFrame,
  type TableFrame,
} from '../../lib';
import { waitFor } from '../support/helpers';
import { isTrueBook, useSimulator } from '../support/simulator';

const level = (symbol: string, id: number, side: 'Buy' | 'Sell', price: number, size?: number): Row =>
  size === undefined ? { symbol, id, side, price } : { symbol, id, side, price, size };

const FRAMES: readonly TableFrame[] = [
  {
    table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol: 'XBTUSD' },
    data: [level('XBTUSD', 1, 'Sell', 102, 5), level('XBTUSD', 2, 'Sell', 101, 4), level('XBTUSD', 3, 'Buy', 100, 3), level('XBTUSD', 4, 'Buy', 99, 2)],
  },
  { table: 'trade', action: 'partial', keys: [], filter: {}, data: [{ symbol: 'XBTUSD', price: 100.5, size: 1, trdMatchID: 'a' }] },
  { table: 'orderBookL2', action: 'update', data: [level('XBTUSD', 4, 'Buy', 99, 20)] },
  { table: 'trade', action: 'insert', data: [{ symbol: 'ETHUSD', price: 3000, size: 2, trdMatchID: 'b' }, { symbol: 'XBTUSD', price: 101, size: 3, trdMatchID: 'c' }] },
  { table: 'orderBookL2', action: 'update', data: [level('XBTUSD', 2, 'Sell', 101, 40)] },
  { table: 'orderBookL2', action: 'delete', data: [level('XBTUSD', 3, 'Buy', 100)] },
];

/** Frames as they come off a socket: fresh objects each time. */
const recorded$ = (): Observable<TableFrame> => from(FRAMES.map((f) => JSON.parse(JSON.stringify(f)) as TableFrame));

describe('reduceFrames', () => {
  it('gives each subscription its own states from an empty one', async () => {
    const first = await lastValueFrom(recorded$().pipe(reduceFrames(), map((s) => bookOf(s, 'XBTUSD', { depth: 5 }))));
    const second = await lastValueFrom(recorded$().pipe(reduceFrames(), map((s) => bookOf(s, 'XBTUSD', { depth: 5 }))));
    expect(second).toEqual(first);
    expect(first?.bids.map((l) => [l.price, l.size])).toEqual([[99, 20]]);
    expect(first?.asks.map((l) => [l.price, l.size])).toEqual([[101, 40], [102, 5]]);
  });
});

describe('bookOf$', () => {
  it('emits a snapshot only for states that changed the top `depth` levels', async () => {
    const books = await lastValueFrom(recorded$().pipe(reduceFrames(), bookOf$('XBTUSD', { depth: 1 }), toArray()));
    // partial; bid 100 gone (the delete); the updates of 99 and 101 were below the top, then 101 is the best ask.
    expect(books.map((b) => [b.bids.map((l) => l.price), b.asks.map((l) => `${l.price}@${l.size}`)])).toEqual([
      [[100], ['101@4']],
      [[100], ['101@40']],
      [[99], ['101@40']],
    ]);
    for (const b of books) expect(Object.isFrozen(b)).toBe(true);
  });
});

describe('tableOf$ and changesOf$', () => {
  it('tableOf$ emits the rows each state brought into the table, of the symbols asked for', async () => {
    const all = await lastValueFrom(recorded$().pipe(reduceFrames(), tableOf$('trade'), map((t) => t.trdMatchID), toArray()));
    expect(all).toEqual(['a', 'b', 'c']);
    const xbt = await lastValueFrom(recorded$().pipe(reduceFrames(), tableOf$('trade', 'XBTUSD'), map((t) => t.trdMatchID), toArray()));
    expect(xbt).toEqual(['a', 'c']);
    const levels = await lastValueFrom(recorded$().pipe(reduceFrames(), tableOf$('orderBookL2', ['XBTUSD']), toArray()));
    expect(levels).toHaveLength(6); // 4 from the partial, 2 updates; the delete is not emitted
  });

  it('changesOf$ emits every batch of the table, deletes included', async () => {
    const changes = await lastValueFrom(recorded$().pipe(reduceFrames(), changesOf$('orderBookL2', 'XBTUSD'), toArray()));
    expect(changes.map((c) => [c.action, c.rows.length])).toEqual([['partial', 4], ['update', 1], ['update', 1], ['delete', 1]]);
    expect(changes[3]?.rows[0]).toMatchObject({ id: 3, size: 3 });
    expect(() => changesOf$('trade', [])).toThrow(TypeError);
  });
});

describe('a recording replayed through the operators', () => {
  const fx = useSimulator({ seed: 9 }, { heartbeat: false });

  it('builds the same books as the live client', async () => {
    const c = fx.client();
    await c.connect();
    const recording: TableFrame[] = [];
    // The raw socket subject, as a recorder would tap it.
    const raw = new Subject<TableFrame>();
    raw.subscribe((f) => recording.push(f));
    fx.keep(
      c.ws
        .pipe(
          map((text) => parseFrame(text as string)),
          filter((f): f is Extract<ServerFrame, { kind: 'table' }> => !(f instanceof Error) && f.kind === 'table'),
        )
        .subscribe(raw),
    );
    let live: BookSnapshot | undefined;
    fx.keep(c.book$('XBTUSD', { depth: 10 }).subscribe((b) => (live = b)));
    await waitFor(() => live !== undefined);
    fx.sim.step(500);
    await waitFor(() => isTrueBook(live, fx.sim, 'XBTUSD', { depth: 10 }), 5000, 'the live book');
    const replayed = await lastValueFrom(from(recording).pipe(reduceFrames(), bookOf$('XBTUSD', { depth: 10 })));
    expect(replayed).toEqual(live);
  });
});

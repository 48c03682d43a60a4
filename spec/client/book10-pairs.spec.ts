/**
 * `orderBook10` rows whose `[price, size]` pairs are not a finite price and a finite size ≥ 0,
 * from a server that sends them: the book leaves those pairs out, and each frame that has any is
 * reported once on `errors$` as a redacted FrameParseError (not dropped silently).
 */
import { emptyTables, FrameParseError, reduceTables, type BookSnapshot, type TableFrame } from '../../lib';
import { collectErrors, settle, waitFor } from '../support/helpers';
import { useRawServer, welcome } from '../support/raw-server';
import { useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 1 }, { heartbeat: false });

const SIGNATURE = 'ab'.repeat(32);
const row = (bids: unknown, asks: unknown) => ({ symbol: 'XBTUSD', bids, asks, timestamp: '2024-05-19T08:51:43.911Z' });
const FRAMES = [
  { table: 'orderBook10', action: 'partial', keys: ['symbol'], filter: { symbol: 'XBTUSD' }, data: [row([[100, 5], [99, -1]], [[101, 7]])] },
  { table: 'orderBook10', action: 'update', data: [row([[100, 6], [SIGNATURE, 3], [98], [97, 'x']], [[101, 7], [102, null]])] },
  { table: 'orderBook10', action: 'update', data: [row([[100, 4]], [[101, 8]])] },
];

const raw = useRawServer((ws) => {
  ws.send(welcome());
  return (req) => {
    if (req.op !== 'subscribe') return;
    ws.send(JSON.stringify({ success: true, subscribe: 'orderBook10:XBTUSD', request: req }));
    for (const f of FRAMES) ws.send(JSON.stringify(f));
  };
});

it('each frame with unusable pairs is reported once, redacted; the book shows only the usable ones', async () => {
  const c = fx.client({ endpoint: raw.url });
  const errors = collectErrors(c);
  const books: BookSnapshot[] = [];
  fx.keep(c.book$('XBTUSD', { table: 'orderBook10', depth: 10 }).subscribe((b) => books.push(b)));
  await waitFor(() => books.some((b) => b.asks[0]?.size === 8), 5000, 'the last update');
  await settle(30);
  expect(books[0]).toMatchObject({ bids: [{ price: 100, size: 5 }], asks: [{ price: 101, size: 7 }] });
  expect(books[1]).toMatchObject({ bids: [{ price: 100, size: 6 }], asks: [{ price: 101, size: 7 }] });
  expect(errors).toHaveLength(2);
  for (const e of errors) expect(e).toBeInstanceOf(FrameParseError);
  const [partial, update] = errors as FrameParseError[];
  expect(partial?.message).toBe('orderBook10: row 0 of partial has a [price, size] pair that is not a finite price and a finite size ≥ 0; skipped');
  expect(update?.message).toBe('orderBook10: row 0 of update has [price, size] pairs that are not a finite price and a finite size ≥ 0 (4 in the frame); skipped');
  expect(update?.raw).toContain('"bids":[[100,6]');
  expect(update?.raw).not.toContain(SIGNATURE);
});

it('reduceTables lists them in unusable, once per frame, and keeps the row', () => {
  let state = emptyTables();
  const unusable: number[] = [];
  for (const f of FRAMES) {
    state = reduceTables(state, f as TableFrame);
    unusable.push(state.unusable.length);
    // Kept in the image, not dropped: nothing for the client to fetch again.
    for (const u of state.unusable) expect(u.dropped).toBeUndefined();
  }
  expect(unusable).toEqual([1, 1, 0]);
  expect(state.changes[0]?.rows).toHaveLength(1);
});

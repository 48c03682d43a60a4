/**
 * A table frame that cannot be used (a delta split into two WebSocket messages, an unknown
 * `action`, `data` not an array) was reported and skipped, and nothing more: the book stayed wrong
 * (size 10 where the server had 5) until some later frame contradicted it. Every live topic of
 * that table is now resynced (unsubscribe, subscribe, a fresh partial), backing off as any
 * resync does; a frame whose table cannot be told carries no rows, and is only reported.
 */
import type { WebSocket } from 'ws';
import { FrameParseError } from '../../lib';
import { collectErrors, waitFor } from '../support/helpers';
import { answerSuccess, useRawServer, welcome } from '../support/raw-server';
import { useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 1 }, { heartbeat: false });

let requests: string[] = [];
let socket: WebSocket | undefined;
/** The server's truth: the size of XBTUSD's one level, sent in each partial. */
let size = 10;
const raw = useRawServer((ws) => {
  socket = ws;
  ws.send(welcome());
  // Each partial says the server's truth at the time.
  const partial = (): string => JSON.stringify({ table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol: 'XBTUSD' }, data: [{ symbol: 'XBTUSD', id: 1, side: 'Buy', size, price: 100 }] });
  return (req) => void requests.push(answerSuccess(ws, req, partial));
});

beforeEach(() => {
  requests = [];
  size = 10;
});

const SUBSCRIBED = ['subscribe orderBookL2:XBTUSD'];
const RESYNCED = [...SUBSCRIBED, 'unsubscribe orderBookL2:XBTUSD', 'subscribe orderBookL2:XBTUSD'];
const update = JSON.stringify({ table: 'orderBookL2', action: 'update', data: [{ symbol: 'XBTUSD', id: 1, side: 'Buy', size: 5, price: 100 }] });

/** A client with XBTUSD's book live at size 10; `sizes` gets the size of each book it emits. */
async function liveBook(): Promise<{ errors: ReturnType<typeof collectErrors>; sizes: number[]; c: ReturnType<typeof fx.client> }> {
  const c = fx.client({ endpoint: raw.url });
  const errors = collectErrors(c);
  const sizes: number[] = [];
  fx.keep(c.book$('XBTUSD').subscribe((b) => sizes.push(b.bids[0]?.size ?? 0)));
  await waitFor(() => sizes.includes(10), 3000, 'the book live');
  return { errors, sizes, c };
}

it.each([
  ['a delta split into two WebSocket messages', [update.slice(0, 60), update.slice(60)], 2],
  ['an unknown action', [update.replace('"update"', '"upsert"')], 1],
  ['data that is not an array', [update.replace(/\[(.*)\]/, '$1')], 1],
])('%s: reported, and the table\'s live topic resynced to the server\'s truth', async (_, texts, reports) => {
  const { errors, sizes, c } = await liveBook();
  size = 5;
  for (const text of texts) socket?.send(text);
  await waitFor(() => sizes.at(-1) === 5, 3000, 'the fresh partial');
  expect(requests).toEqual(RESYNCED);
  expect(errors).toHaveLength(reports);
  for (const e of errors) expect(e).toBeInstanceOf(FrameParseError);
  expect(c.storage.rows('orderBookL2')).toEqual([{ symbol: 'XBTUSD', id: 1, side: 'Buy', size: 5, price: 100 }]);
});

it('a flood of unusable frames resyncs once, not once each', async () => {
  const { errors, sizes } = await liveBook();
  size = 5;
  for (let i = 0; i < 50; i++) socket?.send(update.replace('"update"', '"upsert"'));
  await waitFor(() => sizes.at(-1) === 5, 3000, 'the fresh partial');
  expect(errors).toHaveLength(50);
  expect(requests).toEqual(RESYNCED);
});

it('a frame whose table cannot be told is only reported: nothing is resynced, the next delta applies', async () => {
  const { errors, sizes, c } = await liveBook();
  socket?.send(update.slice(60));
  socket?.send(update);
  await waitFor(() => sizes.at(-1) === 5, 3000, 'the update');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toBeInstanceOf(FrameParseError);
  // A resync would have dropped the image and held the update back until a fresh partial.
  expect(c.storage.rows('orderBookL2')).toEqual([{ symbol: 'XBTUSD', id: 1, side: 'Buy', size: 5, price: 100 }]);
  expect(requests).toEqual(SUBSCRIBED);
});

/**
 * Refused requests go out again with the same backoff whatever they asked: an unsubscribe refused
 * with a 5xx backs off like a subscribe (it was repeated every second, however long the server's
 * trouble lasted), at the server's `meta.retryAfter` where a 429 names one. The backoff is a
 * socket's: a new socket is a new session, and starts again from the first wait.
 */
import type { WebSocket } from 'ws';
import { BitmexApiError } from '../../lib';
import { collectErrors, waitFor } from '../support/helpers';
import { requestText, requestTopics, useRawServer, welcome } from '../support/raw-server';
import { useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 1 }, { heartbeat: false });

const PENDING_LIMIT = 'Max Pending subscription limit reached, please try again later.';

/** How many subscribes connection n (1-based) refuses with 503 before it takes them. */
let subscribeRefusals: number[] = [];
/** How many unsubscribes are refused, and how. */
let unsubscribeRefusals = 0;
let unsubscribeRefusal: { status: number; error: string; meta: Record<string, unknown> } = { status: 503, error: PENDING_LIMIT, meta: {} };
/** Each request received (`op topics`) and when, on every connection. */
let requests: { text: string; at: number }[] = [];
let sockets: WebSocket[] = [];
let tradeNo = 0;
const raw = useRawServer((ws, n) => {
  ws.send(welcome());
  sockets[n] = ws;
  let refuse = subscribeRefusals[n] ?? 0;
  return (req) => {
    requests.push({ text: requestText(req), at: Date.now() });
    for (const topic of requestTopics(req)) {
      if (req.op === 'subscribe' && refuse > 0) {
        refuse--;
        ws.send(JSON.stringify({ status: 503, error: PENDING_LIMIT, meta: {}, request: req }));
      } else if (req.op === 'subscribe') {
        const row = { symbol: 'XBTUSD', side: 'Buy', size: 1, price: 100, trdMatchID: `t${++tradeNo}`, timestamp: new Date().toISOString() };
        ws.send(JSON.stringify({ success: true, subscribe: topic, request: req }));
        ws.send(JSON.stringify({ table: 'trade', action: 'partial', keys: [], filter: { symbol: 'XBTUSD' }, data: [] }));
        ws.send(JSON.stringify({ table: 'trade', action: 'insert', data: [row] }));
      } else if (unsubscribeRefusals > 0) {
        unsubscribeRefusals--;
        ws.send(JSON.stringify({ ...unsubscribeRefusal, request: req }));
      } else {
        ws.send(JSON.stringify({ success: true, unsubscribe: topic, request: req }));
      }
    }
  };
});

beforeEach(() => {
  subscribeRefusals = [];
  unsubscribeRefusals = 0;
  requests = [];
  sockets = [];
});

describe('an unsubscribe refused twice', () => {
  it.each([
    ['with 503 backs off like a refused subscribe: the first wait 0.5-1 s, the next 1-2 s', { status: 503, error: PENDING_LIMIT, meta: {} }, [[500, 1000], [1000, 2000]]],
    ['with 429 naming meta.retryAfter is repeated at that time each time', { status: 429, error: 'Rate limit exceeded, retry in 1 seconds.', meta: { retryAfter: 0.3 } }, [[300, 300], [300, 300]]],
  ] as const)('%s; each refusal reported once, saying when', async (_, refusal, waits) => {
    unsubscribeRefusals = 2;
    unsubscribeRefusal = refusal;
    const c = fx.client({ endpoint: raw.url });
    const errors = collectErrors(c);
    const trades: string[] = [];
    const sub = c.table$('trade', 'XBTUSD').subscribe((t) => trades.push(t.trdMatchID));
    await waitFor(() => trades.length > 0, 2000, 'the topic live');
    sub.unsubscribe();
    await waitFor(() => requests.length === 4, 5000, 'the unsubscribe asked three times');
    await waitFor(() => errors.length === 2, 1000, 'both refusals reported');
    expect(requests.map((r) => r.text)).toEqual(['subscribe trade:XBTUSD', 'unsubscribe trade:XBTUSD', 'unsubscribe trade:XBTUSD', 'unsubscribe trade:XBTUSD']);
    const refusals = errors as BitmexApiError[];
    expect(refusals.map((e) => [e.constructor, e.status, e.request])).toEqual([
      [BitmexApiError, refusal.status, { op: 'unsubscribe', args: ['trade:XBTUSD'] }],
      [BitmexApiError, refusal.status, { op: 'unsubscribe', args: ['trade:XBTUSD'] }],
    ]);
    waits.forEach(([least, most], i) => {
      const retryInMs = refusals[i]?.retryInMs ?? NaN;
      expect(retryInMs).toBeGreaterThanOrEqual(least);
      expect(retryInMs).toBeLessThanOrEqual(most);
      // The repeat went out no sooner than said.
      expect((requests[i + 2]?.at ?? 0) - (requests[i + 1]?.at ?? 0)).toBeGreaterThanOrEqual(retryInMs - 50);
    });
  });
});

it("a subscribe's backoff starts again on a new socket: refusals of the old one are no reason to wait longer", async () => {
  subscribeRefusals = [0, 2, 1];
  const c = fx.client({ endpoint: raw.url, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
  const refusals = collectErrors(c, BitmexApiError);
  const trades: string[] = [];
  const streamErrors: unknown[] = [];
  fx.keep(c.table$('trade', 'XBTUSD').subscribe({ next: (t) => trades.push(t.trdMatchID), error: (e) => streamErrors.push(e) }));
  await waitFor(() => refusals.length === 2, 5000, 'two refusals on the first socket');
  sockets[1]?.terminate();
  await waitFor(() => trades.length > 0, 5000, 'the topic live on the new socket');
  expect(requests.map((r) => r.text)).toEqual(['subscribe trade:XBTUSD', 'subscribe trade:XBTUSD', 'subscribe trade:XBTUSD', 'subscribe trade:XBTUSD']);
  expect(refusals.map((e) => e.status)).toEqual([503, 503, 503]);
  const waits = refusals.map((e) => e.retryInMs ?? NaN);
  // The first socket's backoff climbs; the new socket's first refusal waits as long as the first ever did.
  expect(waits[0]).toBeLessThanOrEqual(1000);
  expect(waits[1]).toBeGreaterThanOrEqual(1000);
  expect(waits[2]).toBeGreaterThanOrEqual(500);
  expect(waits[2]).toBeLessThanOrEqual(1000);
  expect(streamErrors).toEqual([]);
});

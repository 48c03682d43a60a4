/**
 * A server that answers an unsubscribe late, or refuses it with 429 the first time, and streams
 * that subscription until it is done. While a whole table takes over from its symbol (or hands
 * back to it), subscribing the new topic before the old one was gone gave every row twice: trades
 * twice, deletes of rows already gone (spurious resyncs); a refused unsubscribe was taken as done,
 * so the subscription leaked and the next subscribe of it was refused as "already subscribed",
 * erroring the stream. The new subscribe waits for the answer; a refused unsubscribe is repeated.
 */
import { BitmexConnectionError, type BitmexApiError } from '../../lib';
import { collectErrors, settle, waitFor } from '../support/helpers';
import { requestText, requestTopics, useRawServer, welcome } from '../support/raw-server';
import { useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 1 }, { heartbeat: false });

let requests: string[] = [];
let tradeNo = 0;
let refuseFirst = false;
let ignoreFirst = false;
const held = new Set<string>();
const raw = useRawServer((ws) => {
  ws.send(welcome());
  held.clear();
  const refused = new Set<string>();
  // One trade, a copy to every subscription held (as BitMEX does).
  const trade = (): void => {
    const row = { symbol: 'XBTUSD', side: 'Buy', size: 1, price: 100, trdMatchID: `t${++tradeNo}`, timestamp: new Date().toISOString() };
    for (const _ of held) ws.send(JSON.stringify({ table: 'trade', action: 'insert', data: [row] }));
  };
  return (req) => {
    const topics = requestTopics(req);
    requests.push(requestText(req));
    for (const topic of topics) {
      if (req.op === 'subscribe') {
        if (held.has(topic)) return void ws.send(JSON.stringify({ status: 400, error: `You are already subscribed to this topic: ${topic}`, request: req }));
        held.add(topic);
        ws.send(JSON.stringify({ success: true, subscribe: topic, request: req }));
        if (topic.startsWith('instrument')) {
          // The first image is empty: an update of XBTUSD then finds no row (a resync).
          const data = requests.length > 1 ? [{ symbol: 'XBTUSD', markPrice: 2 }] : [];
          ws.send(JSON.stringify({ table: 'instrument', action: 'partial', keys: ['symbol'], filter: { symbol: 'XBTUSD' }, data }));
          if (data.length === 0) ws.send(JSON.stringify({ table: 'instrument', action: 'update', data: [{ symbol: 'XBTUSD', markPrice: 1 }] }));
          continue;
        }
        ws.send(JSON.stringify({ table: 'trade', action: 'partial', keys: [], filter: topic.includes(':') ? { symbol: 'XBTUSD' } : {}, data: [] }));
        trade();
      } else if (ignoreFirst) {
        ignoreFirst = false;
      } else if (refuseFirst && !refused.has(topic)) {
        refused.add(topic);
        ws.send(JSON.stringify({ status: 429, error: 'Rate limit exceeded, retry in 1 seconds.', meta: { retryAfter: 0.2 }, request: req }));
        trade();
      } else {
        setTimeout(() => {
          held.delete(topic);
          ws.send(JSON.stringify({ success: true, unsubscribe: topic, request: req }));
          trade();
        }, 150);
      }
    }
  };
});

beforeEach(() => {
  requests = [];
  refuseFirst = false;
  ignoreFirst = false;
});

it.each([
  ['the whole table joining the symbol', true],
  ['the whole table leaving the symbol', false],
])('%s: the new subscribe waits for the unsubscribe answer; each trade once', async (_, joining) => {
  const c = fx.client({ endpoint: raw.url });
  const errors = collectErrors(c);
  const ids: string[] = [];
  fx.keep(c.table$('trade', 'XBTUSD').subscribe((t) => ids.push(t.trdMatchID)));
  const whole = joining ? undefined : c.table$('trade').subscribe();
  await waitFor(() => requests.length === 1 && ids.length > 0, 2000, 'the first subscription live');
  const first = requests[0];
  if (whole === undefined) fx.keep(c.table$('trade').subscribe());
  else whole.unsubscribe();
  await waitFor(() => requests.length === 3, 2000, 'the handover');
  await settle(300);
  expect(requests).toEqual([first, `unsubscribe ${joining ? 'trade:XBTUSD' : 'trade'}`, `subscribe ${joining ? 'trade' : 'trade:XBTUSD'}`]);
  expect(ids.length).toBeGreaterThan(1);
  expect(new Set(ids).size).toBe(ids.length);
  expect(errors).toEqual([]);
});

it('an unsubscribe refused with 429 is asked again when the server says, and nothing overlapping goes out meanwhile', async () => {
  refuseFirst = true;
  const c = fx.client({ endpoint: raw.url });
  const errors = collectErrors(c);
  const ids: string[] = [];
  const streamErrors: unknown[] = [];
  const symbol = c.table$('trade', 'XBTUSD').subscribe({ next: (t) => ids.push(t.trdMatchID), error: (e) => streamErrors.push(e) });
  await waitFor(() => ids.length > 0, 2000, 'the symbol live');
  const whole = c.table$('trade').subscribe({ error: (e) => streamErrors.push(e) });
  await waitFor(() => requests.length === 4, 2000, 'the handover');
  expect(requests).toEqual(['subscribe trade:XBTUSD', 'unsubscribe trade:XBTUSD', 'unsubscribe trade:XBTUSD', 'subscribe trade']);
  whole.unsubscribe();
  symbol.unsubscribe();
  await waitFor(() => held.size === 0, 2000, 'nothing held on the server');
  expect(new Set(ids).size).toBe(ids.length);
  expect(streamErrors).toEqual([]);
  expect(errors.map((e) => (e as BitmexApiError).status)).toEqual([429, 429]);
});

it('a two-topic unsubscribe refused with 429 (one answer per topic) is reported once', async () => {
  refuseFirst = true;
  const c = fx.client({ endpoint: raw.url });
  const errors = collectErrors(c);
  const xbt = c.table$('trade', 'XBTUSD').subscribe();
  const eth = c.table$('trade', 'ETHUSD').subscribe();
  await waitFor(() => held.size === 2, 2000, 'both subscribed');
  xbt.unsubscribe();
  eth.unsubscribe();
  await waitFor(() => held.size === 0, 3000, 'both unsubscribed after the repeat');
  expect(requests).toEqual(['subscribe trade:XBTUSD,trade:ETHUSD', 'unsubscribe trade:XBTUSD,trade:ETHUSD', 'unsubscribe trade:XBTUSD,trade:ETHUSD']);
  expect(errors.map((e) => (e as BitmexApiError).status)).toEqual([429]);
});

it('an unsubscribe never answered gives the socket up after subscribeTimeoutMs (what it held back would wait for good)', async () => {
  ignoreFirst = true;
  const c = fx.client({ endpoint: raw.url, subscribeTimeoutMs: 300, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
  const errors = collectErrors(c);
  const ids: string[] = [];
  fx.keep(c.table$('trade', 'XBTUSD').subscribe((t) => ids.push(t.trdMatchID)));
  await waitFor(() => ids.length > 0, 2000, 'the symbol live');
  const all: string[] = [];
  fx.keep(c.table$('trade').subscribe((t) => all.push(t.trdMatchID)));
  await waitFor(() => all.length > 0, 3000, 'the whole table live after the reconnect');
  expect(raw.connections).toBe(2);
  expect(requests).toEqual(['subscribe trade:XBTUSD', 'unsubscribe trade:XBTUSD', 'subscribe trade']);
  expect(errors[0]).toBeInstanceOf(BitmexConnectionError);
  expect((errors[0] as BitmexConnectionError).code).toBe(4004);
  expect((errors[0] as BitmexConnectionError).message).toContain('no answer to unsubscribe trade:XBTUSD within 300 ms');
});

it("a resync's unsubscribe refused with 429 is asked again, then the topic subscribed afresh", async () => {
  refuseFirst = true;
  const c = fx.client({ endpoint: raw.url });
  const errors = collectErrors(c);
  const prices: unknown[] = [];
  let streamError: unknown;
  fx.keep(c.table$('instrument', 'XBTUSD').subscribe({ next: (r) => prices.push(r.markPrice), error: (e) => (streamError = e) }));
  await waitFor(() => prices.length > 0, 2000, 'the fresh image');
  expect(prices).toEqual([2]);
  expect(requests).toEqual(['subscribe instrument:XBTUSD', 'unsubscribe instrument:XBTUSD', 'unsubscribe instrument:XBTUSD', 'subscribe instrument:XBTUSD']);
  expect(streamError).toBeUndefined();
  expect(errors.map((e) => (e as { status?: number }).status)).toEqual([undefined, 429]);
});

it("a resync's unsubscribe never answered gives the socket up after subscribeTimeoutMs; the topic comes back on the new socket", async () => {
  ignoreFirst = true;
  const c = fx.client({ endpoint: raw.url, subscribeTimeoutMs: 300, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
  const errors = collectErrors(c);
  const prices: unknown[] = [];
  let streamError: unknown;
  fx.keep(c.table$('instrument', 'XBTUSD').subscribe({ next: (r) => prices.push(r.markPrice), error: (e) => (streamError = e) }));
  await waitFor(() => prices.length > 0, 3000, 'the fresh image on the new socket');
  expect(prices).toEqual([2]);
  expect(raw.connections).toBe(2);
  expect(requests).toEqual(['subscribe instrument:XBTUSD', 'unsubscribe instrument:XBTUSD', 'subscribe instrument:XBTUSD']);
  expect(streamError).toBeUndefined();
  const timeout = errors.find((e) => e instanceof BitmexConnectionError);
  expect((timeout as BitmexConnectionError | undefined)?.code).toBe(4004);
});

describe('a subscribe refused while its unsubscribe is in flight (the server then answers the unsubscribe "not subscribed")', () => {
  it.each([
    ['429', (): void => fx.sim.rateLimitSubscribes(1, 1), 429],
    ['400', (): void => undefined, 400],
  ] as const)('%s: the refusal is reported once, the "not subscribed" answer is not; the topic can come back', async (_name, refuse, status) => {
    const c = fx.client();
    const errors = collectErrors(c);
    await c.connect();
    refuse();
    // FOO is unknown to the simulator: refused with 400 "Unknown or expired symbol".
    const symbol = status === 400 ? 'FOO' : 'XBTUSD';
    const s = c.book$(symbol).subscribe({ error: () => undefined });
    // Let the subscribe go out (one microtask), then leave before its answer can arrive.
    await Promise.resolve();
    await Promise.resolve();
    s.unsubscribe();
    await waitFor(() => fx.sim.requests().length === 2, 2000, 'subscribe and unsubscribe sent');
    await settle(200);
    expect(errors.map((e) => (e as BitmexApiError).status)).toEqual([status]);
    expect((errors[0] as BitmexApiError).request).toEqual({ op: 'subscribe', args: [`orderBookL2:${symbol}`] });
    if (status === 400) return;
    let book: unknown;
    fx.keep(c.book$('XBTUSD').subscribe((b) => (book = b)));
    await waitFor(() => book !== undefined, 2000, 'the book after coming back');
    expect(errors).toHaveLength(1);
  });
});

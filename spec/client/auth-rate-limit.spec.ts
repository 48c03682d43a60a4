/**
 * `authKeyExpires` answered with 429 (or a 5xx): the server's limit or trouble, no verdict on the
 * keys. It was taken as a failed authentication for the socket's life: every private stream errored
 * with it, and observing one again errored at once, until some unrelated reconnect. The client
 * gives that socket up and authenticates on a new one, with backoff; the private streams wait.
 */
import { BitmexApiError, BitmexConnectionError } from '../../lib';
import { collectErrors, waitFor } from '../support/helpers';
import { useRawServer, welcome } from '../support/raw-server';
import { useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 1 }, { heartbeat: false, reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });

let status = 429;
let retryAfter = 0.05;
const raw = useRawServer((ws, n) => {
  ws.send(welcome());
  return (req) => {
    if (req.op === 'authKeyExpires') {
      if (n === 1) ws.send(JSON.stringify({ status, error: 'Rate limit exceeded, retry in 1 seconds.', meta: { retryAfter }, request: req }));
      else ws.send(JSON.stringify({ success: true, request: req }));
    } else if (req.op === 'subscribe') {
      ws.send(JSON.stringify({ success: true, subscribe: 'order', request: req }));
      ws.send(JSON.stringify({ table: 'order', action: 'partial', keys: ['orderID'], filter: { account: 1 }, data: [{ orderID: 'a1', account: 1, symbol: 'XBTUSD', leavesQty: 1 }] }));
    }
  };
});

it.each([429, 503])('%i: the private stream waits for a new socket and gets its rows; no stream error', async (s) => {
  status = s;
  const c = fx.client({ endpoint: raw.url, apiKey: 'k', apiSecret: 's' });
  const errors = collectErrors(c);
  const rows: unknown[] = [];
  let streamError: unknown;
  fx.keep(c.table$('order').subscribe({ next: (r) => rows.push(r), error: (e) => (streamError = e) }));
  await waitFor(() => rows.length > 0 || streamError !== undefined, 3000, 'the orders');
  expect(streamError).toBeUndefined();
  expect(raw.connections).toBe(2);
  expect(errors.some((e) => e instanceof BitmexApiError)).toBe(false);
  expect(errors[0]).toBeInstanceOf(BitmexConnectionError);
});

it("429: the new socket waits for the reply's meta.retryAfter (a sooner one would only be refused too)", async () => {
  status = 429;
  retryAfter = 1;
  try {
    const c = fx.client({ endpoint: raw.url, apiKey: 'k', apiSecret: 's' });
    const errors = collectErrors(c);
    fx.keep(c.table$('order').subscribe());
    await waitFor(() => errors.length > 0, 3000, 'the lost socket');
    expect(errors[0]).toBeInstanceOf(BitmexConnectionError);
    expect((errors[0] as BitmexConnectionError).retryInMs).toBeGreaterThanOrEqual(1000);
  } finally {
    retryAfter = 0.05;
  }
});

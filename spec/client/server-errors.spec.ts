/**
 * A subscribe answered with a server-side error (500, 502, 504): the server's trouble, not the
 * request's, so it is retried like a 503 and reported once — the observer's stream never errors
 * (an observer without an error callback would otherwise take the process down).
 */
import { BitmexApiError } from '../../lib';
import { collectErrors, waitFor } from '../support/helpers';
import { requestTopics, useRawServer, welcome } from '../support/raw-server';
import { useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 1 });

let status = 500;
let subscribes = 0;
const raw = useRawServer((ws) => {
  ws.send(welcome());
  return (req) => {
    if (req.op !== 'subscribe') return;
    subscribes++;
    const topics = requestTopics(req);
    for (const topic of topics) {
      if (subscribes === 1) {
        ws.send(JSON.stringify({ status, error: 'Internal server error', meta: {}, request: req }));
        continue;
      }
      ws.send(JSON.stringify({ success: true, subscribe: topic, request: req }));
      ws.send(JSON.stringify({ table: 'trade', action: 'partial', keys: [], filter: { symbol: 'XBTUSD' }, data: [] }));
      ws.send(JSON.stringify({ table: 'trade', action: 'insert', data: [{ timestamp: '2024-05-19T08:51:43.911Z', symbol: 'XBTUSD', side: 'Buy', size: 100, price: 67000.5, trdMatchID: 'a', grossValue: 1, homeNotional: 1, foreignNotional: 1, tickDirection: 'PlusTick' }] }));
    }
  };
});

beforeEach(() => {
  subscribes = 0;
});

it.each([500, 502, 504])('a subscribe answered %s is retried and reported once, the stream going on', async (s) => {
  status = s;
  const c = fx.client({ endpoint: raw.url });
  const errors = collectErrors(c);
  const rows: unknown[] = [];
  let streamError: unknown;
  fx.keep(c.table$('trade', 'XBTUSD').subscribe({ next: (r) => rows.push(r), error: (e: unknown) => (streamError = e) }));
  await waitFor(() => rows.length > 0 || streamError !== undefined, 8000, 'the trade after the retry');
  expect(streamError).toBeUndefined();
  expect(subscribes).toBe(2);
  expect(rows).toMatchObject([{ symbol: 'XBTUSD', price: 67000.5 }]);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toBeInstanceOf(BitmexApiError);
  expect((errors[0] as BitmexApiError).status).toBe(s);
  expect((errors[0] as BitmexApiError).retryInMs).toBeGreaterThan(0);
});

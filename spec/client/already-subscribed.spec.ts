/**
 * A server that answers a subscribe "You are already subscribed to this topic" (it holds a
 * subscription the client does not know of, e.g. one a lost unsubscribe left): the server streams
 * it, but no partial comes. The stream must not die of it: the topic is resynced (unsubscribe,
 * subscribe) and gets a fresh partial; the refusal is reported on errors$.
 */
import { BitmexApiError } from '../../lib';
import { collectErrors, settle, waitFor } from '../support/helpers';
import { requestText, requestTopics, useRawServer, welcome } from '../support/raw-server';
import { useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 1 }, { heartbeat: false });

let requests: string[] = [];
let tradeNo = 0;
let answerAfterMs = 0;
const raw = useRawServer((ws) => {
  ws.send(welcome());
  // The server starts out holding every topic the client will ask for.
  let holdsUnknown = true;
  const held = new Set<string>();
  const trade = (): void => {
    const row = { symbol: 'XBTUSD', side: 'Buy', size: 1, price: 100, trdMatchID: `t${++tradeNo}`, timestamp: new Date().toISOString() };
    ws.send(JSON.stringify({ table: 'trade', action: 'insert', data: [row] }));
  };
  return (req) => {
    const topics = requestTopics(req);
    requests.push(requestText(req));
    for (const topic of topics) {
      if (req.op === 'subscribe') {
        if (holdsUnknown || held.has(topic)) {
          held.add(topic);
          setTimeout(() => {
            ws.send(JSON.stringify({ status: 400, error: `You are already subscribed to this topic: ${topic}`, meta: {}, request: req }));
            trade(); // streamed, but no partial: dropped by the client
          }, answerAfterMs);
          continue;
        }
        held.add(topic);
        ws.send(JSON.stringify({ success: true, subscribe: topic, request: req }));
        ws.send(JSON.stringify({ table: 'trade', action: 'partial', keys: [], filter: { symbol: 'XBTUSD' }, data: [] }));
        trade();
      } else {
        holdsUnknown = false;
        held.delete(topic);
        ws.send(JSON.stringify({ success: true, unsubscribe: topic, request: req }));
      }
    }
  };
});

beforeEach(() => {
  requests = [];
  answerAfterMs = 0;
});

it('a subscribe answered "already subscribed" is resynced: the stream lives and gets its rows; the refusal is reported', async () => {
  const c = fx.client({ endpoint: raw.url });
  const errors = collectErrors(c);
  const problems: unknown[] = [];
  const ids: string[] = [];
  fx.keep(c.table$('trade', 'XBTUSD').subscribe({ next: (t) => ids.push(t.trdMatchID), error: (e) => problems.push(e) }));
  await waitFor(() => ids.length > 0, 3000, 'a trade after the resync');
  expect(problems).toEqual([]);
  expect(requests).toEqual(['subscribe trade:XBTUSD', 'unsubscribe trade:XBTUSD', 'subscribe trade:XBTUSD']);
  // The trade streamed before the fresh partial was not taken (no image yet).
  expect(ids).toEqual(['t2']);
  expect(errors).toHaveLength(1);
  expect(errors[0]).toBeInstanceOf(BitmexApiError);
  expect((errors[0] as BitmexApiError).status).toBe(400);
});

it('"already subscribed" for a topic whose observer left meanwhile: it is unsubscribed, not left streaming', async () => {
  answerAfterMs = 100;
  const c = fx.client({ endpoint: raw.url });
  const errors = collectErrors(c);
  const sub = c.table$('trade', 'XBTUSD').subscribe();
  await waitFor(() => requests.length === 1, 2000, 'the subscribe');
  sub.unsubscribe();
  await waitFor(() => requests.length === 2, 2000, 'the unsubscribe');
  await settle(200);
  expect(requests).toEqual(['subscribe trade:XBTUSD', 'unsubscribe trade:XBTUSD']);
  expect(errors.map((e) => (e as BitmexApiError).status)).toEqual([400]);
});

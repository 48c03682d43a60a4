/**
 * A partial for another symbol than the topic asked for (a broken or hostile server). It was
 * dropped with no report: the only sign was the 4004 "no answer" once `subscribeTimeoutMs` was
 * up, and a reconnect. It is reported at once, naming the table and both symbols; the topic keeps
 * waiting for its own partial. A late partial of a topic the client left is no such oddity.
 */
import type { WebSocket } from 'ws';
import { BitmexConnectionError, BitmexInconsistencyError, type Row } from '../../lib';
import { collectErrors, waitFor } from '../support/helpers';
import { answerSuccess, requestText, useRawServer, welcome } from '../support/raw-server';
import { useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 1 }, { heartbeat: false });

const level = (symbol: string, id: number, size: number): Row => ({ symbol, id, side: 'Buy', size, price: id });
const partial = (symbol: string, data: Row[]): string => JSON.stringify({ table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol }, data });

let requests: string[] = [];
let socket: WebSocket | undefined;
/** What the server sends after a subscribe's success (by topic); nothing for a topic not named. */
let afterSuccess: Record<string, string> = {};
let answerUnsubscribes = true;
const raw = useRawServer((ws) => {
  socket = ws;
  ws.send(welcome());
  return (req) => {
    if (req.op === 'unsubscribe' && !answerUnsubscribes) requests.push(requestText(req));
    else requests.push(answerSuccess(ws, req, (topic) => afterSuccess[topic]));
  };
});

beforeEach(() => {
  requests = [];
  afterSuccess = { 'orderBookL2:XBTUSD': partial('ETHUSD', [level('ETHUSD', 1, 10)]) };
  answerUnsubscribes = true;
});

it('is reported at once, naming the table and both symbols; the topic keeps waiting and takes its own partial', async () => {
  const c = fx.client({ endpoint: raw.url });
  const errors = collectErrors(c);
  const rows: unknown[] = [];
  fx.keep(c.table$('orderBookL2', 'XBTUSD').subscribe((r) => rows.push(r)));
  await waitFor(() => errors.length > 0, 3000, 'the report');
  expect(errors[0]).toBeInstanceOf(BitmexInconsistencyError);
  const error = errors[0] as BitmexInconsistencyError;
  expect(error.table).toBe('orderBookL2');
  expect(error.topic).toBe('orderBookL2:XBTUSD');
  expect(error.message).toBe('partial of orderBookL2 for ETHUSD, which no topic asked for (awaiting: orderBookL2:XBTUSD); skipped');
  expect(c.storage.rows('orderBookL2')).toEqual([]);

  socket?.send(partial('XBTUSD', [level('XBTUSD', 2, 5)]));
  await waitFor(() => rows.length > 0, 3000, 'its own partial');
  expect(rows).toEqual([level('XBTUSD', 2, 5)]);
  expect(c.storage.rows('orderBookL2')).toEqual([level('XBTUSD', 2, 5)]);
  // Waited on: no resync, no reconnect, nothing else reported.
  expect(requests).toEqual(['subscribe orderBookL2:XBTUSD']);
  expect(raw.connections).toBe(1);
  expect(errors).toHaveLength(1);
});

it('its own partial never coming: the timeout as before, after the report', async () => {
  const c = fx.client({ endpoint: raw.url, subscribeTimeoutMs: 300 });
  const errors = collectErrors(c);
  fx.keep(c.table$('orderBookL2', 'XBTUSD').subscribe());
  await waitFor(() => errors.length >= 2, 3000, 'the report and the timeout');
  expect(errors[0]).toBeInstanceOf(BitmexInconsistencyError);
  expect(errors[1]).toBeInstanceOf(BitmexConnectionError);
  expect((errors[1] as BitmexConnectionError).reason).toBe('subscribe orderBookL2:XBTUSD acknowledged, but no partial within 300 ms; reconnecting');
});

it('the late partial of a topic the client left before it came is not reported', async () => {
  afterSuccess = { 'orderBookL2:XBTUSD': partial('XBTUSD', [level('XBTUSD', 2, 5)]) };
  answerUnsubscribes = false;
  const c = fx.client({ endpoint: raw.url });
  const errors = collectErrors(c);
  const xbt: unknown[] = [];
  fx.keep(c.table$('orderBookL2', 'XBTUSD').subscribe((r) => xbt.push(r)));
  const eth = c.table$('orderBookL2', 'ETHUSD').subscribe();
  await waitFor(() => xbt.length > 0, 3000, 'XBTUSD live');
  eth.unsubscribe();
  await waitFor(() => requests.includes('unsubscribe orderBookL2:ETHUSD'), 3000, 'the unsubscribe');
  // ETHUSD's partial, still on its way when the client left, then an XBTUSD update after it.
  socket?.send(partial('ETHUSD', [level('ETHUSD', 1, 10)]));
  socket?.send(JSON.stringify({ table: 'orderBookL2', action: 'update', data: [{ symbol: 'XBTUSD', id: 2, side: 'Buy', size: 6 }] }));
  await waitFor(() => xbt.length > 1, 3000, 'the update after it');
  expect(errors).toEqual([]);
  expect(c.storage.rows('orderBookL2')).toEqual([{ ...level('XBTUSD', 2, 5), size: 6 }]);
});

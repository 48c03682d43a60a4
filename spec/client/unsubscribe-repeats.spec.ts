/**
 * A refused unsubscribe's repeat belongs to the socket that refused it. A reconnect starts from a
 * clean slate: the topics still observed are subscribed afresh, those no longer observed are not;
 * a repeat still pending from the old socket must not fire on the new one (it went out there
 * before the time that socket's server asked for).
 */
import type { WebSocket } from 'ws';
import { BitmexApiError } from '../../lib';
import { collectErrors, settle, waitFor } from '../support/helpers';
import { requestText, requestTopics, useRawServer, welcome } from '../support/raw-server';
import { useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 1 }, { heartbeat: false });

/** The wait (s) the first socket's server asks for before an unsubscribe is repeated; the second's is an hour. */
const FIRST_RETRY_AFTER = 3;

/** What each connection received (1-based), and its socket. */
let requests: string[][] = [];
let sockets: WebSocket[] = [];
const raw = useRawServer((ws, n) => {
  ws.send(welcome());
  sockets[n] = ws;
  const got: string[] = (requests[n] = []);
  return (req) => {
    got.push(requestText(req));
    for (const topic of requestTopics(req)) {
      if (req.op === 'subscribe') {
        ws.send(JSON.stringify({ success: true, subscribe: topic, request: req }));
        ws.send(JSON.stringify({ table: topic.split(':')[0], action: 'partial', keys: [], filter: topic.includes(':') ? { symbol: topic.split(':')[1] } : {}, data: [] }));
      } else {
        const retryAfter = n === 1 ? FIRST_RETRY_AFTER : 3600;
        ws.send(JSON.stringify({ status: 429, error: `Rate limit exceeded, retry in ${retryAfter} seconds.`, meta: { retryAfter }, request: req }));
      }
    }
  };
});

beforeEach(() => {
  requests = [];
  sockets = [];
});

it('a reconnect cancels the repeat of an unsubscribe the old socket refused: no early unsubscribe on the new socket', async () => {
  const c = fx.client({ endpoint: raw.url, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
  const refusals = collectErrors(c, BitmexApiError);
  fx.keep(c.table$('trade', 'XBTUSD').subscribe());
  const eth = c.table$('quote', 'ETHUSD').subscribe();
  await waitFor(() => requests[1]?.length === 1, 2000, 'the topics subscribed');
  // The whole table joins: the symbol's own subscription goes, and so does ETHUSD's quotes, left;
  // the first socket refuses that.
  eth.unsubscribe();
  const whole = c.table$('trade').subscribe();
  await waitFor(() => refusals.length === 1, 2000, 'the first refusal');
  // Armed after the client's repeat timer, with the same delay: it fires after that one would.
  let oldRepeatDue = false;
  const oldRepeatPassed = settle(FIRST_RETRY_AFTER * 1000).then(() => (oldRepeatDue = true));
  whole.unsubscribe();
  sockets[1]?.terminate();
  // The symbol, still observed, is subscribed afresh on the new socket; ETHUSD's quotes are not.
  await waitFor(() => requests[2]?.length === 1, 2000, 'the symbol subscribed on the new socket');
  // The whole table joins again: this socket refuses the unsubscribe for an hour.
  fx.keep(c.table$('trade').subscribe());
  await waitFor(() => refusals.length === 2, 2000, 'the second refusal');
  // (Else the old repeat was due before the new refusal, and this test would show nothing.)
  expect(oldRepeatDue).toBe(false);
  await oldRepeatPassed;
  // Requests on one socket arrive in order: once this one is in, an early repeat would be too.
  fx.keep(c.table$('quote', 'XBTUSD').subscribe());
  await waitFor(() => requests[2]?.includes('subscribe quote:XBTUSD'), 2000, 'the witness subscribe');
  expect(requests[1]).toEqual(['subscribe trade:XBTUSD,quote:ETHUSD', 'unsubscribe trade:XBTUSD,quote:ETHUSD']);
  expect(requests[2]).toEqual(['subscribe trade:XBTUSD', 'unsubscribe trade:XBTUSD', 'subscribe quote:XBTUSD']);
  expect(refusals.map((e) => [e.status, e.retryInMs])).toEqual([[429, FIRST_RETRY_AFTER * 1000], [429, 3_600_000]]);
});

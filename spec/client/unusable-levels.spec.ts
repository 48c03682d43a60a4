/**
 * Order-book rows whose size is not a quantity (a string, null, negative), from a server that
 * sends them: reported as an inconsistency that says the row cannot be stored, the topic
 * resubscribed, and the book never shows such a level (as size 0 or otherwise).
 */
import { BitmexInconsistencyError, type BookSnapshot } from '../../lib';
import { collectErrors, waitFor } from '../support/helpers';
import { requestTopics, useRawServer, welcome } from '../support/raw-server';
import { useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 1 });

const level = (id: number, side: 'Buy' | 'Sell', size: unknown, price: number) => ({ symbol: 'XBTUSD', id, side, size, price, timestamp: '2024-05-19T08:51:43.911Z' });

/** The hostile frame each connection's first subscribe is followed by, then a fresh partial on the resubscribe. */
let hostile: unknown;
let subscribes = 0;
const raw = useRawServer((ws) => {
  ws.send(welcome());
  return (req) => {
    const topics = requestTopics(req);
    for (const topic of topics) {
      if (req.op === 'unsubscribe') {
        ws.send(JSON.stringify({ success: true, unsubscribe: topic, request: req }));
        continue;
      }
      subscribes++;
      ws.send(JSON.stringify({ success: true, subscribe: topic, request: req }));
      const size = subscribes === 1 ? 10 : 12;
      ws.send(JSON.stringify({ table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol: 'XBTUSD' }, data: [level(1, 'Sell', size, 101), level(2, 'Buy', 5, 100)] }));
      if (subscribes === 1) ws.send(JSON.stringify(hostile));
    }
  };
});

beforeEach(() => {
  subscribes = 0;
});

it.each([
  ['an update with size a string', { table: 'orderBookL2', action: 'update', data: [{ symbol: 'XBTUSD', id: 1, side: 'Sell', size: '11', price: 101 }] }],
  ['an update with size null', { table: 'orderBookL2', action: 'update', data: [{ symbol: 'XBTUSD', id: 1, side: 'Sell', size: null, price: 101 }] }],
  ['an insert with a negative size', { table: 'orderBookL2', action: 'insert', data: [level(3, 'Buy', -5, 99)] }],
])('%s: reported, resubscribed, never shown', async (_name, frame) => {
  hostile = frame;
  const c = fx.client({ endpoint: raw.url });
  const errors = collectErrors(c);
  const books: BookSnapshot[] = [];
  fx.keep(c.book$('XBTUSD').subscribe((b) => books.push(b)));
  await waitFor(() => books.some((b) => b.asks[0]?.size === 12), 5000, 'the book from the fresh partial');
  expect(subscribes).toBe(2);
  const inc = errors.find((e): e is BitmexInconsistencyError => e instanceof BitmexInconsistencyError);
  expect(inc?.message).toMatch(/^(update for an unknown row \(or with unusable values\)|insert with a row that cannot be stored) XBTUSD:[13]:(Buy|Sell) in orderBookL2; resubscribing$/);
  for (const b of books) {
    expect([...b.bids, ...b.asks].every((l) => typeof l.size === 'number' && l.size > 0)).toBe(true);
  }
  expect(books[books.length - 1]).toMatchObject({ bids: [{ price: 100, size: 5, id: 2 }], asks: [{ price: 101, size: 12, id: 1 }] });
});

/**
 * The client against a second, deliberately different BitMEX look-alike: a bare `ws` server
 * written here, which makes choices the reference allows but our simulator does not (partials
 * before their success frame, partials without `filter` or `keys`, other error wording, extra
 * fields). Guards against fitting the client to one server's quirks.
 */
import type { AddressInfo } from 'node:net';
import { Subscription } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { BitmexApiError, BitmexWebSocket, type BookSnapshot } from '../../lib';
import { waitFor } from '../support/helpers';

interface Options {
  partialFirst: boolean;
  withFilter: boolean;
  withKeys: boolean;
}

const L2_KEYS = ['symbol', 'id', 'side'];

function level(symbol: string, id: number, side: 'Buy' | 'Sell', price: number, size: number) {
  return { symbol, id, side, size, price, timestamp: '2024-05-19T08:51:43.911Z', transactTime: '2024-05-19T08:51:43.910Z' };
}

/** Two-level books per symbol, ids arbitrary. */
const BOOKS: Record<string, ReturnType<typeof level>[]> = {
  XBTUSD: [level('XBTUSD', 8797309800, 'Sell', 26903, 100), level('XBTUSD', 8712, 'Buy', 26902, 200)],
  ETHUSD: [level('ETHUSD', 55, 'Sell', 1801.05, 10), level('ETHUSD', 9123456789, 'Buy', 1800.95, 20)],
};

let server: WebSocketServer;
let url: string;
let sockets: WebSocket[] = [];
const clients: BitmexWebSocket[] = [];
const subs: Subscription[] = [];

async function startServer(opts: Options): Promise<void> {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/realtime`;
  server.on('connection', (ws) => {
    sockets.push(ws);
    ws.send(JSON.stringify({ info: 'Welcome to a different look-alike.', version: '9.9', timestamp: new Date().toISOString(), heartbeatEnabled: false }));
    ws.on('message', (data) => {
      const text = String(data);
      if (text === 'ping') return ws.send('pong');
      const req = JSON.parse(text) as { op: string; args: string[] | string };
      const args = Array.isArray(req.args) ? req.args : [req.args];
      for (const topic of args) {
        const [table, symbol] = topic.split(':');
        if (req.op === 'unsubscribe') {
          ws.send(JSON.stringify({ success: true, unsubscribe: topic, request: req }));
          continue;
        }
        if (table !== 'orderBookL2' || symbol === undefined || BOOKS[symbol] === undefined) {
          ws.send(JSON.stringify({ status: 400, error: `Unknown or unsupported topic ${topic}`, meta: {}, request: req }));
          continue;
        }
        const partial: Record<string, unknown> = { table, action: 'partial', data: BOOKS[symbol], extra: 'ignored' };
        if (opts.withKeys) partial.keys = L2_KEYS;
        if (opts.withFilter) partial.filter = { symbol };
        const success = { success: true, subscribe: topic, request: req };
        const frames = opts.partialFirst ? [partial, success] : [success, partial];
        for (const f of frames) ws.send(JSON.stringify(f));
      }
    });
  });
}

function send(frame: unknown): void {
  for (const ws of sockets) ws.send(JSON.stringify(frame));
}

afterEach(async () => {
  for (const s of subs.splice(0)) s.unsubscribe();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const ws of sockets) ws.terminate();
  sockets = [];
  await new Promise<void>((r) => server.close(() => r()));
});

describe.each([
  { partialFirst: true, withFilter: false, withKeys: true },
  { partialFirst: false, withFilter: false, withKeys: false },
  { partialFirst: true, withFilter: true, withKeys: false },
])('a server sending partials %j', (opts) => {
  it('still gives each symbol its own, correct book', async () => {
    await startServer(opts);
    const c = new BitmexWebSocket({ endpoint: url, heartbeat: false });
    clients.push(c);
    const books = new Map<string, BookSnapshot>();
    subs.push(c.book$('XBTUSD').subscribe((b) => books.set('XBTUSD', b)));
    subs.push(c.book$('ETHUSD').subscribe((b) => books.set('ETHUSD', b)));
    await waitFor(() => books.size === 2);
    expect(books.get('XBTUSD')?.bids).toEqual([{ price: 26902, size: 200, id: 8712 }]);
    expect(books.get('ETHUSD')?.asks).toEqual([{ price: 1801.05, size: 10, id: 55 }]);

    send({ table: 'orderBookL2', action: 'update', data: [{ symbol: 'XBTUSD', id: 8712, side: 'Buy', size: 250, price: 26902 }] });
    send({ table: 'orderBookL2', action: 'insert', data: [level('ETHUSD', 77, 'Buy', 1801.0, 5)] });
    send({ table: 'orderBookL2', action: 'delete', data: [{ symbol: 'XBTUSD', id: 8797309800, side: 'Sell', price: 26903 }] });
    await waitFor(() => books.get('XBTUSD')?.asks.length === 0 && books.get('ETHUSD')?.bids.length === 2);
    expect(books.get('XBTUSD')?.bids).toEqual([{ price: 26902, size: 250, id: 8712 }]);
    expect(books.get('ETHUSD')?.bids.map((l) => l.price)).toEqual([1801.0, 1800.95]);
  });
});

it('routes an error worded differently to the topic it names only', async () => {
  await startServer({ partialFirst: false, withFilter: true, withKeys: true });
  const c = new BitmexWebSocket({ endpoint: url, heartbeat: false });
  clients.push(c);
  let bookError: unknown;
  let tradeError: unknown;
  let book: BookSnapshot | undefined;
  subs.push(c.book$('XBTUSD').subscribe({ next: (b) => (book = b), error: (e) => (bookError = e) }));
  subs.push(c.table$('trade', 'XBTUSD').subscribe({ error: (e) => (tradeError = e) }));
  await waitFor(() => tradeError && book);
  expect(tradeError).toBeInstanceOf(BitmexApiError);
  expect((tradeError as BitmexApiError).status).toBe(400);
  expect(bookError).toBeUndefined();
});

/**
 * Frames a hostile or broken server might send, once, after the welcome (issue 14): none may take
 * the process down; each unusable one is reported on errors$ and skipped; the other topics keep
 * flowing, exactly (books equal the simulator's truth).
 */
import { createServer, type Server } from 'node:http';
import { Subscription } from 'rxjs';
import { WebSocketServer, type WebSocket as WsSocket } from 'ws';
import { BitmexWebSocket, FrameParseError, type BookSnapshot, type Row } from '../../lib';
import { BitmexSimulator } from '../../lib/testing';
import { waitFor } from '../support/helpers';

let sim: BitmexSimulator;
let url: string;
const clients: BitmexWebSocket[] = [];
const subs: Subscription[] = [];

beforeEach(async () => {
  sim = new BitmexSimulator({ seed: 5 });
  url = (await sim.start()).url;
});

afterEach(async () => {
  for (const s of subs.splice(0)) s.unsubscribe();
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await sim.stop();
});

function deepArray(depth: number): string {
  return `${'['.repeat(depth)}1${']'.repeat(depth)}`;
}

const HOSTILE: readonly [string, string][] = [
  ['partial with keys null', '{"table":"instrument","action":"partial","keys":null,"filter":{"symbol":"XBTUSD"},"data":[]}'],
  ['partial with filter null', '{"table":"instrument","action":"partial","keys":["symbol"],"filter":null,"data":[]}'],
  ['table named like an Object.prototype member', '{"table":"toString","action":"partial","data":[]}'],
  ['update whose key value nests 20,000 deep', `{"table":"instrument","action":"update","data":[{"symbol":${deepArray(20000)},"markPrice":1}]}`],
  ['L2 update whose id nests 20,000 deep', `{"table":"orderBookL2","action":"update","data":[{"symbol":"XBTUSD","id":${deepArray(20000)},"side":"Buy","size":1}]}`],
  ['rows that are not objects', '{"table":"orderBookL2","action":"insert","data":[null,1,"x",[]]}'],
  ['data that is not an array', '{"table":"orderBookL2","action":"update","data":{"symbol":"XBTUSD"}}'],
  ['keys of numbers', '{"table":"instrument","action":"partial","keys":[1,2],"data":[]}'],
  ['error frame with request null and meta a string', '{"status":400,"error":"x","meta":"y","request":null}'],
  ['success frame with request a string', '{"success":true,"request":"authKeyExpires"}'],
  ['welcome with a limit that is not an object', '{"info":"Welcome","limit":7,"timestamp":5}'],
  ['cancelAllAfter reply with odd fields', '{"now":"2024-01-01T00:00:00.000Z","cancelTime":42,"request":null}'],
  ['a JSON array', '[1,2,3]'],
  ['not JSON', '{"table":'],
  ['an unknown action', '{"table":"orderBookL2","action":"upsert","data":[]}'],
  ['a __proto__ field', '{"__proto__":{"table":"orderBookL2"},"action":"update","data":[{"symbol":"XBTUSD"}]}'],
];

describe('a hostile frame after the welcome', () => {
  it.each(HOSTILE)('%s: nothing throws, other topics keep flowing exactly', async (_name, text) => {
    const c = new BitmexWebSocket({ endpoint: url, heartbeat: { idleMs: 2000, timeoutMs: 2000 }, reconnect: { initialDelayMs: 20, maxDelayMs: 80 } });
    clients.push(c);
    const errors: unknown[] = [];
    const problems: unknown[] = [];
    subs.push(c.errors$.subscribe((e) => errors.push(e)));
    const books = new Map<string, BookSnapshot>();
    for (const symbol of ['XBTUSD', 'ETHUSD']) {
      subs.push(c.book$(symbol, { depth: 1000 }).subscribe({ next: (b) => books.set(symbol, b), error: (e) => problems.push(e) }));
    }
    const instruments: Row[] = [];
    subs.push(c.table$('instrument', 'XBTUSD').subscribe({ next: (r) => instruments.push(r), error: (e) => problems.push(e) }));
    await waitFor(() => sim.connections()[0]?.subscriptions.length === 3 && books.size === 2 && instruments.length > 0);

    expect(sim.sendRaw(text)).toBe(1);
    sim.step(300);
    const same = (s: string): boolean => {
      const t = sim.truth(s);
      const b = books.get(s);
      return b !== undefined && JSON.stringify(b.bids) === JSON.stringify(t.bids) && JSON.stringify(b.asks) === JSON.stringify(t.asks);
    };
    await waitFor(() => same('XBTUSD') && same('ETHUSD'), 5000, 'books equal to truth');
    expect(problems).toEqual([]);
    // Compared as JSON: the wire turns the simulator's -0 into 0.
    const instrumentText = (): string => JSON.stringify(c.storage.rows('instrument', 'XBTUSD'));
    await waitFor(() => instrumentText() === JSON.stringify(sim.truthRows('instrument', 'XBTUSD')), 5000, 'instrument rows equal to truth');
    expect(sim.connections()).toHaveLength(1); // no reconnect was needed
  });

  it.each(HOSTILE.filter(([name]) => !/20,000|Object.prototype|error frame|success frame|welcome|cancelAllAfter/.test(name)))(
    '%s: reported on errors$ as a FrameParseError',
    async (_name, text) => {
      const c = new BitmexWebSocket({ endpoint: url });
      clients.push(c);
      const errors: unknown[] = [];
      subs.push(c.errors$.subscribe((e) => errors.push(e)));
      await c.connect();
      sim.sendRaw(text);
      await waitFor(() => errors.length > 0);
      expect(errors[0]).toBeInstanceOf(FrameParseError);
    },
  );
});

describe('a partial with filter null while that topic\'s partial is awaited', () => {
  let server: Server;
  let wss: WebSocketServer;
  let rawUrl: string;

  beforeEach(async () => {
    server = createServer();
    wss = new WebSocketServer({ server });
    // A minimal server: welcome, then for each subscribed topic the success frame, a partial
    // with `filter: null`, and then the real partial.
    wss.on('connection', (ws: WsSocket) => {
      ws.send(JSON.stringify({ info: 'Welcome to the BitMEX Realtime API.', version: '2.0.0', timestamp: new Date().toISOString(), limit: { remaining: 700 } }));
      ws.on('message', (d) => {
        const text = d.toString();
        if (text === 'ping') return ws.send('pong');
        const req = JSON.parse(text) as { op: string; args: string[] };
        for (const topic of req.args) {
          const [table, symbol] = topic.split(':');
          ws.send(JSON.stringify({ success: true, subscribe: topic, request: req }));
          ws.send(JSON.stringify({ table, action: 'partial', keys: ['symbol'], filter: null, data: [{ symbol, markPrice: 666 }] }));
          ws.send(JSON.stringify({ table, action: 'partial', keys: ['symbol'], filter: { symbol }, data: [{ symbol, markPrice: 1 }] }));
        }
        return undefined;
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const addr = server.address();
    rawUrl = `ws://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/realtime`;
  });

  afterEach(async () => {
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('is reported and skipped; the real partial then fills the topic', async () => {
    const c = new BitmexWebSocket({ endpoint: rawUrl });
    clients.push(c);
    const errors: unknown[] = [];
    subs.push(c.errors$.subscribe((e) => errors.push(e)));
    const rows: Row[] = [];
    const problems: unknown[] = [];
    subs.push(c.table$('instrument', 'XBTUSD').subscribe({ next: (r) => rows.push(r), error: (e) => problems.push(e) }));
    await waitFor(() => rows.length > 0);
    expect(rows).toEqual([{ symbol: 'XBTUSD', markPrice: 1 }]);
    expect(errors[0]).toBeInstanceOf(FrameParseError);
    expect(problems).toEqual([]);
  });
});

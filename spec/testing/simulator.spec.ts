/**
 * The simulator's own behaviour, over real sockets on 127.0.0.1 with a plain `ws` client.
 */
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import WebSocket from 'ws';
import { signRequest } from '../../lib/client/sign';
import { BitmexSimulator, type MarketFrame, type SimulatorLevel } from '../../lib/testing';

const KEY = 'test-key';
const SECRET = 'test-secret';

type Json = Record<string, unknown>;

/** A plain client that records every frame and lets a test await the next ones. */
class Client {
  readonly texts: string[] = [];
  private cursor = 0;
  private wake: (() => void) | undefined;
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d: WebSocket.RawData) => {
      this.texts.push(d.toString());
      this.wake?.();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
      this.wake?.();
    });
    ws.on('error', () => undefined);
  }

  /** Connects and, unless `welcome` is false, consumes the welcome frame. */
  static async open(url: string, options: { headers?: Record<string, string>; welcome?: boolean } = {}): Promise<Client> {
    const ws = new WebSocket(url, { headers: options.headers });
    const c = new Client(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (options.welcome !== false) await c.next();
    return c;
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** Waits for something new (a frame or the close), at most `ms`. */
  private async changed(ms: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no frame within ${ms} ms; got ${JSON.stringify(this.texts.slice(-3))}`)), ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }

  /** The next frame's text. */
  async next(ms = 5000): Promise<string> {
    while (this.cursor >= this.texts.length) {
      if (this.closed) throw new Error('closed');
      await this.changed(ms);
    }
    return this.texts[this.cursor++] as string;
  }

  /** The next frame, parsed. */
  async json(ms = 5000): Promise<Json> {
    return JSON.parse(await this.next(ms)) as Json;
  }

  /** The next `n` frames, parsed. */
  async jsons(n: number): Promise<Json[]> {
    const out: Json[] = [];
    for (let i = 0; i < n; i++) out.push(await this.json());
    return out;
  }

  /** Sends `ping` and returns every frame before its `pong` (the socket is ordered, so all sent so far). */
  async sync(): Promise<Json[]> {
    this.send('ping');
    const out: Json[] = [];
    for (;;) {
      const t = await this.next();
      if (t === 'pong') return out;
      out.push(JSON.parse(t) as Json);
    }
  }

  async waitClosed(ms = 5000): Promise<{ code: number; reason: string }> {
    while (!this.closed) await this.changed(ms);
    return this.closed;
  }

  /** True if nothing arrives within `ms` (used only to prove silence; never to assert speed). */
  async quietFor(ms: number): Promise<boolean> {
    const before = this.texts.length;
    await new Promise((r) => setTimeout(r, ms));
    return this.texts.length === before;
  }

  close(): void {
    this.ws.terminate();
  }
}

function expiresIn(seconds: number): number {
  return Math.floor(Date.now() / 1000) + seconds;
}

function authArgs(key = KEY, secret = SECRET, expires = expiresIn(60)): [string, number, string] {
  return [key, expires, signRequest(secret, 'GET', '/realtime', expires)];
}

let sim: BitmexSimulator;
let url: string;
let platformUrl: string;
let httpUrl: string;
const clients: Client[] = [];

async function connect(options?: Parameters<typeof Client.open>[1], to = url): Promise<Client> {
  const c = await Client.open(to, options);
  clients.push(c);
  return c;
}

beforeEach(async () => {
  sim = new BitmexSimulator({ seed: 42, apiKeys: { [KEY]: SECRET, other: 'other-secret' } });
  ({ url, platformUrl, httpUrl } = await sim.start());
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await sim.stop();
});

describe('connection', () => {
  it('listens on 127.0.0.1 and sends the welcome frame first', async () => {
    expect(url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/realtime$/);
    expect(platformUrl).toBe(url.replace('/realtime', '/realtimePlatform'));
    const c = await connect({ welcome: false });
    const w = await c.json();
    expect(Object.keys(w)).toEqual(['info', 'version', 'timestamp', 'docs', 'heartbeatEnabled', 'limit']);
    expect(w).toMatchObject({ info: 'Welcome to the BitMEX Realtime API.', version: '2.0.0', docs: 'https://www.bitmex.com/app/wsAPI', heartbeatEnabled: false, limit: { remaining: 719 } });
    expect(w.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const c2 = await connect({ welcome: false });
    expect((await c2.json()).limit).toEqual({ remaining: 718 });
    expect(sim.stats().handshakes).toEqual({ accepted: 2, refused: 0 });
    expect(sim.connections().map((x) => x.path)).toEqual(['/realtime', '/realtime']);
  });

  it('refuses handshakes on other paths with 404 and answers plain HTTP', async () => {
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url.replace('/realtime', '/realtimemd'));
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(404);
    expect(sim.stats().handshakes).toEqual({ accepted: 0, refused: 1 });
    const root = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      httpRequest(`${httpUrl}/`, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      }).on('error', reject).end();
    });
    expect(root.status).toBe(200);
    expect(JSON.parse(root.body)).toMatchObject({ realtime: url });
  });

  it('answers the literal ping with the literal pong', async () => {
    const c = await connect();
    c.send('ping');
    expect(await c.next()).toBe('pong');
  });

  it('subscribes topics given in the query string', async () => {
    const c = await connect({}, `${url}?subscribe=instrument,orderBookL2_25:XBTUSD`);
    const [s1, p1, s2, p2] = await c.jsons(4);
    const request = { op: 'subscribe', args: ['instrument', 'orderBookL2_25:XBTUSD'] };
    expect(s1).toEqual({ success: true, subscribe: 'instrument', request });
    expect(p1).toMatchObject({ table: 'instrument', action: 'partial' });
    expect(s2).toEqual({ success: true, subscribe: 'orderBookL2_25:XBTUSD', request });
    expect(p2).toMatchObject({ table: 'orderBookL2_25', action: 'partial', filter: { symbol: 'XBTUSD' } });
    expect((p2!.data as unknown[]).length).toBe(50);
  });

  it('stop() closes every socket and the server', async () => {
    const c = await connect();
    await sim.stop();
    expect((await c.waitClosed()).code).toBe(1006);
    await expect(Client.open(url)).rejects.toThrow();
  });
});

describe('subscribe and unsubscribe', () => {
  it('answers a single topic with a success frame echoing the request, then the partial', async () => {
    const c = await connect();
    c.send({ op: 'subscribe', args: 'instrument' });
    const [ok, partial] = await c.jsons(2);
    expect(ok).toEqual({ success: true, subscribe: 'instrument', request: { op: 'subscribe', args: 'instrument' } });
    expect(partial).toMatchObject({ table: 'instrument', action: 'partial', keys: ['symbol'], filter: {} });
    expect((partial!.data as Json[]).map((r) => r.symbol)).toEqual(['XBTUSD', 'ETHUSD', 'SOLUSD']);
    expect((partial!.types as Json).lastPrice).toBe('float');
  });

  it('answers each topic of a multi-topic request with its success frame and its partial', async () => {
    const c = await connect();
    const request = { op: 'subscribe', args: ['orderBookL2:XBTUSD', 'orderBook10:ETHUSD', 'quote:SOLUSD', 'trade:*'] };
    c.send(request);
    const frames = await c.jsons(8);
    expect(frames.filter((_, i) => i % 2 === 0)).toEqual(request.args.map((t) => ({ success: true, subscribe: t, request })));
    const [l2, book10, quote, trade] = frames.filter((_, i) => i % 2 === 1) as [Json, Json, Json, Json];
    expect(l2).toMatchObject({
      table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol: 'XBTUSD' },
      types: { symbol: 'symbol', id: 'long', side: 'symbol', size: 'long', price: 'float', timestamp: 'timestamp' },
    });
    const rows = l2.data as { symbol: string; id: number; side: string; size: number; price: number }[];
    expect(rows.length).toBeGreaterThan(60);
    for (const r of rows) {
      expect(r.symbol).toBe('XBTUSD');
      expect(Number.isSafeInteger(r.id)).toBe(true);
      expect(r.size).toBeGreaterThan(0);
      expect(r.size % 100).toBe(0);
      expect((r.price * 2) % 1).toBe(0); // tick 0.5
    }
    // Ids are arbitrary: their order says nothing about the price order.
    const byPrice = [...rows].sort((a, b) => a.price - b.price).map((r) => r.id);
    const sortedIds = [...byPrice].sort((a, b) => a - b);
    expect(byPrice).not.toEqual(sortedIds);
    expect(byPrice).not.toEqual([...sortedIds].reverse());
    const bestBid = Math.max(...rows.filter((r) => r.side === 'Buy').map((r) => r.price));
    const bestAsk = Math.min(...rows.filter((r) => r.side === 'Sell').map((r) => r.price));
    expect(bestBid).toBeLessThan(bestAsk);

    expect(book10).toMatchObject({ table: 'orderBook10', keys: ['symbol'], filter: { symbol: 'ETHUSD' } });
    const row10 = (book10.data as Json[])[0] as { bids: number[][]; asks: number[][] };
    expect(row10.bids).toHaveLength(10);
    expect(row10.asks).toHaveLength(10);
    expect(quote).toMatchObject({ table: 'quote', keys: [], filter: { symbol: 'SOLUSD' } });
    expect((quote.data as Json[])[0]).toMatchObject({ symbol: 'SOLUSD', bidPrice: expect.any(Number), askPrice: expect.any(Number) });
    expect(trade).toMatchObject({ table: 'trade', keys: [], filter: {} });
  });

  it('unsubscribes single and multiple topics, after which their data stops', async () => {
    const c = await connect();
    c.send({ op: 'subscribe', args: ['orderBookL2:XBTUSD', 'orderBookL2:ETHUSD', 'orderBookL2:SOLUSD'] });
    await c.jsons(6);
    c.send({ op: 'unsubscribe', args: 'orderBookL2:XBTUSD' });
    expect(await c.json()).toEqual({ success: true, unsubscribe: 'orderBookL2:XBTUSD', request: { op: 'unsubscribe', args: 'orderBookL2:XBTUSD' } });
    const req = { op: 'unsubscribe', args: ['orderBookL2:ETHUSD', 'orderBookL2:SOLUSD'] };
    c.send(req);
    expect(await c.jsons(2)).toEqual([
      { success: true, unsubscribe: 'orderBookL2:ETHUSD', request: req },
      { success: true, unsubscribe: 'orderBookL2:SOLUSD', request: req },
    ]);
    await c.sync();
    expect(sim.connections()[0]?.subscriptions).toEqual([]);
    sim.step(200);
    expect(await c.sync()).toEqual([]);
  });

  it('delivers only the subscribed symbol, and every symbol for a bare table', async () => {
    const c = await connect();
    c.send({ op: 'subscribe', args: ['orderBookL2:ETHUSD', 'quote'] });
    await c.jsons(4);
    sim.step(300);
    const frames = await c.sync();
    const symbols = (t: string) => new Set(frames.filter((f) => f.table === t).flatMap((f) => (f.data as Json[]).map((r) => r.symbol)));
    expect(symbols('orderBookL2')).toEqual(new Set(['ETHUSD']));
    expect(symbols('quote')).toEqual(new Set(['XBTUSD', 'ETHUSD', 'SOLUSD']));
  });
});

describe('error frames', () => {
  async function reply(value: unknown, to = url, auth = false): Promise<Json> {
    const c = await connect({}, to);
    if (auth) {
      c.send({ op: 'authKeyExpires', args: authArgs() });
      await c.json();
    }
    c.send(value);
    return c.json();
  }

  it('unknown table', async () => {
    const req = { op: 'subscribe', args: ['instrument_'] };
    expect(await reply(req)).toEqual({ status: 400, error: 'Unknown table: instrument_', meta: {}, request: req });
  });

  it('unknown symbol: 400 naming it, as BitMEX answers; the other topics of the request still subscribe', async () => {
    const c = await connect();
    const req = { op: 'subscribe', args: ['orderBookL2_25:FOOBAR', 'trade:XBTUSD'] };
    c.send(req);
    const [error, ok] = await c.jsons(2);
    expect(error).toEqual({
      status: 400,
      error: 'Unknown or expired symbol: FOOBAR. Please see the documentation at https://www.bitmex.com/app/wsAPI.',
      meta: {},
      request: req,
    });
    expect(ok).toMatchObject({ success: true, subscribe: 'trade:XBTUSD' });
  });

  it('platform topic on /realtime and trading topic on /realtimePlatform', async () => {
    const a = await reply({ op: 'subscribe', args: 'announcement' });
    expect(a).toMatchObject({ status: 400, request: { op: 'subscribe', args: 'announcement' } });
    expect(a.error).toMatch(/^Topic announcement is not available on this endpoint\. /);
    const b = await reply({ op: 'subscribe', args: 'orderBookL2:XBTUSD' }, platformUrl);
    expect(b).toMatchObject({ status: 400 });
    expect(b.error).toMatch(/^Topic orderBookL2 is not available on this endpoint\. /);
    const c = await connect({}, platformUrl);
    c.send({ op: 'subscribe', args: ['announcement', 'chat'] });
    const [, pa, , pc] = await c.jsons(4);
    expect(pa).toMatchObject({ table: 'announcement', action: 'partial', keys: ['id'], data: [] });
    expect(pc).toMatchObject({ table: 'chat', filterKey: 'channelID' });
  });

  it('private table without auth: 401 with meta.notes naming the private tables', async () => {
    const f = await reply({ op: 'subscribe', args: 'order' });
    expect(f).toMatchObject({ status: 401, error: 'User requested an account-locked subscription but no authorization was provided.', request: { op: 'subscribe', args: 'order' } });
    expect((f.meta as Json).notes).toEqual(expect.stringContaining('order'));
    expect((f.meta as Json).notes).toEqual(expect.stringContaining('wallet'));
  });

  it('already subscribed, and unsubscribe of a topic not subscribed', async () => {
    const c = await connect();
    c.send({ op: 'subscribe', args: 'trade:XBTUSD' });
    await c.jsons(2);
    c.send({ op: 'subscribe', args: ['trade:XBTUSD'] });
    expect(await c.json()).toEqual({ status: 400, error: 'You are already subscribed to this topic: trade:XBTUSD', meta: {}, request: { op: 'subscribe', args: ['trade:XBTUSD'] } });
    const req = { op: 'unsubscribe', args: 'trade:ETHUSD' };
    c.send(req);
    expect(await c.json()).toMatchObject({ status: 400, error: expect.stringContaining('trade:ETHUSD'), request: req });
  });

  it('unparseable and unrecognised requests', async () => {
    const bad = await reply('{"op": "subscribe", args');
    expect(bad.status).toBe(400);
    expect(bad.error).toMatch(/^Failed to decode incoming data: /);
    expect('request' in bad).toBe(false);
    const req = { op: 'fly', args: [] };
    expect(await reply(req)).toEqual({ status: 400, error: "Unrecognized request. See the docs or send 'help' for more details.", meta: {}, request: req });
    expect(await reply({ op: 'subscribe', args: [1, 2] })).toMatchObject({ status: 400, error: expect.stringMatching(/^Unrecognized request/) });
  });

  it(':SYMBOL on a table that takes none', async () => {
    const f = await reply({ op: 'subscribe', args: 'wallet:XBTUSD' }, url, true);
    expect(f).toMatchObject({ status: 400, error: expect.stringContaining('wallet'), request: { op: 'subscribe', args: 'wallet:XBTUSD' } });
  });

  it('never crashes on bad input and keeps serving', async () => {
    const c = await connect();
    for (const bad of ['', 'null', '[]', '42', '{"op":null}', '{"op":"subscribe"}', '{"op":"authKeyExpires","args":"x"}', '{"op":"cancelAllAfter","args":{}}']) c.send(bad);
    c.ws.send(Buffer.from([0xff, 0xfe, 0x00]), { binary: true });
    const replies = await c.jsons(9);
    for (const r of replies) expect(r.status).toEqual(expect.any(Number));
    c.send({ op: 'subscribe', args: 'instrument:XBTUSD' });
    expect(await c.json()).toMatchObject({ success: true });
  });
});

describe('authentication', () => {
  it('accepts a valid authKeyExpires and then serves private tables of that account', async () => {
    const c = await connect();
    const req = { op: 'authKeyExpires', args: authArgs() };
    c.send(req);
    expect(await c.json()).toEqual({ success: true, request: req });
    expect(sim.connections()[0]).toMatchObject({ authenticated: true, apiKey: KEY, account: sim.accountOf(KEY) });
    c.send({ op: 'subscribe', args: ['order', 'position:XBTUSD', 'margin', 'wallet'] });
    const frames = await c.jsons(8);
    expect(frames[1]).toMatchObject({ table: 'order', action: 'partial', keys: ['orderID'], filter: { account: sim.accountOf(KEY) } });
    expect(frames[3]).toMatchObject({ table: 'position', keys: ['account', 'symbol'], filter: { account: sim.accountOf(KEY), symbol: 'XBTUSD' } });
    expect(frames[5]).toMatchObject({ table: 'margin', keys: ['account', 'currency'], data: [{ account: sim.accountOf(KEY), currency: 'XBt' }] });
    expect(frames[7]).toMatchObject({ table: 'wallet', data: [{ account: sim.accountOf(KEY), amount: 100000000 }] });
  });

  it('rejects a bad signature, an unknown key, an expired request and a second auth', async () => {
    const c = await connect();
    const [, expires] = authArgs();
    const bad = { op: 'authKeyExpires', args: [KEY, expires, signRequest('wrong', 'GET', '/realtime', expires)] };
    c.send(bad);
    expect(await c.json()).toEqual({ status: 401, error: 'Signature not valid.', meta: {}, request: bad });
    c.send({ op: 'authKeyExpires', args: authArgs('nobody', SECRET) });
    expect(await c.json()).toMatchObject({ status: 401 });
    c.send({ op: 'authKeyExpires', args: authArgs(KEY, SECRET, expiresIn(-10)) });
    expect(await c.json()).toMatchObject({ status: 401, error: expect.stringContaining('expired') });
    expect(sim.connections()[0]?.authenticated).toBe(false);
    c.send({ op: 'authKeyExpires', args: authArgs() });
    expect(await c.json()).toMatchObject({ success: true });
    c.send({ op: 'authKeyExpires', args: authArgs('other', 'other-secret') });
    expect(await c.json()).toMatchObject({ status: 400 });
    expect(sim.connections()[0]?.apiKey).toBe(KEY);
  });

  it('accepts api-key/api-expires/api-signature headers on the upgrade request', async () => {
    const [key, expires, signature] = authArgs('other', 'other-secret');
    const c = await connect({ headers: { 'api-key': key, 'api-expires': String(expires), 'api-signature': signature } });
    await c.sync();
    expect(sim.connections()[0]).toMatchObject({ authenticated: true, apiKey: 'other' });
    c.send({ op: 'subscribe', args: 'order' });
    expect(await c.json()).toMatchObject({ success: true, subscribe: 'order' });
  });

  it('accepts query-string auth, and reports failed header auth after the welcome', async () => {
    const [key, expires, signature] = authArgs();
    const c = await connect({}, `${url}?api-key=${key}&api-expires=${expires}&api-signature=${signature}`);
    await c.sync();
    const bad = await connect({ headers: { 'api-key': KEY, 'api-expires': String(expires), 'api-signature': '00'.repeat(32) } });
    expect(await bad.json()).toEqual({ status: 401, error: 'Signature not valid.', meta: {} });
    expect(sim.connections().map((x) => x.authenticated)).toEqual([true, false]);
    expect(c.texts).toHaveLength(2); // welcome + pong: successful header/query auth sends nothing
  });
});

describe('cancelAllAfter', () => {
  it('needs auth; replies now/cancelTime/request; records the switch; 0 disarms', async () => {
    const c = await connect();
    c.send({ op: 'cancelAllAfter', args: 60000 });
    expect(await c.json()).toMatchObject({ status: 401 });
    c.send({ op: 'authKeyExpires', args: authArgs() });
    await c.json();
    const req = { op: 'cancelAllAfter', args: 60000 };
    c.send(req);
    const r = await c.json();
    expect(Object.keys(r)).toEqual(['now', 'cancelTime', 'request']);
    expect(r.request).toEqual(req);
    expect(Date.parse(r.cancelTime as string) - Date.parse(r.now as string)).toBe(60000);
    const armed = sim.deadMansSwitch(KEY);
    expect(armed).toEqual({ timeoutMs: 60000, cancelTime: Date.parse(r.cancelTime as string), armedAt: Date.parse(r.now as string) });
    expect(sim.deadMansSwitch('other')).toBeUndefined();
    c.send({ op: 'cancelAllAfter', args: [0] });
    const off = await c.json();
    expect(off).toMatchObject({ now: expect.any(String), request: { op: 'cancelAllAfter', args: [0] } });
    expect(sim.deadMansSwitch(KEY)).toBeUndefined();
    c.send({ op: 'cancelAllAfter', args: 'soon' });
    expect(await c.json()).toMatchObject({ status: 400 });
    expect(sim.cancelAllAfterLog.map((x) => [x.connId, x.apiKey, x.timeoutMs, x.accepted])).toEqual([
      [1, undefined, 60000, false],
      [1, KEY, 60000, true],
      [1, KEY, 0, true],
      [1, KEY, NaN, false],
    ]);
  });

  it('cancels the open orders of the account when the switch fires', async () => {
    const c = await connect();
    c.send({ op: 'authKeyExpires', args: authArgs() });
    await c.json();
    for (let i = 0; i < 50 && sim.truthRows('order', undefined, KEY).length < 2; i++) sim.step(20);
    const open = sim.truthRows('order', undefined, KEY).map((o) => o.orderID);
    expect(open.length).toBeGreaterThanOrEqual(2);
    c.send({ op: 'subscribe', args: 'order' });
    await c.jsons(2);
    c.send({ op: 'cancelAllAfter', args: 20 });
    await c.json();
    await sim.waitFor(() => sim.deadMansSwitch(KEY) === undefined);
    const frames = await c.sync();
    const canceled = frames.filter((f) => f.table === 'order' && f.action === 'update').flatMap((f) => f.data as Json[]);
    expect(canceled.map((o) => o.orderID).sort()).toEqual([...open].sort());
    for (const o of canceled) expect(o).toMatchObject({ ordStatus: 'Canceled', leavesQty: 0 });
    expect(sim.truthRows('order', undefined, KEY)).toEqual([]);
  });
});

describe('market', () => {
  it('is deterministic for a seed (and differs between seeds)', () => {
    const run = (seed: number): { frames: MarketFrame[]; truth: unknown } => {
      const s = new BitmexSimulator({ seed, apiKeys: { [KEY]: SECRET }, clock: () => 1_700_000_000_000 });
      return { frames: s.step(500), truth: s.truth('ETHUSD') };
    };
    const a = run(5);
    expect(run(5)).toEqual(a);
    expect(run(6).frames).not.toEqual(a.frames);
    const tables = new Set(a.frames.map((f) => f.table));
    for (const t of ['orderBookL2', 'orderBookL2_25', 'orderBook10', 'quote', 'trade', 'instrument', 'order', 'execution', 'position', 'margin', 'wallet']) {
      expect(tables).toContain(t);
    }
  });

  it('for any seed, the frames of step() rebuild truth() from the partial images, with a sane book', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const s = new BitmexSimulator({ seed, symbols: ['XBTUSD', 'SOLUSD'] });
        const images = new Map<string, Map<number, Json>>();
        for (const t of ['orderBookL2', 'orderBookL2_25']) images.set(t, new Map(s.truthRows(t, 'SOLUSD').map((r) => [r.id as number, { ...r }])));
        let book10 = s.truthRows('orderBook10', 'SOLUSD')[0];
        for (const f of s.step(400)) {
          if (f.symbol !== 'SOLUSD') continue;
          if (f.table === 'orderBook10') book10 = f.data[0];
          const image = images.get(f.table);
          if (!image) continue;
          for (const r of f.data) {
            // Plain checks: expect() per row would dominate the run time.
            const id = r.id as number;
            const known = image.has(id);
            if (typeof r.price !== 'number' || known !== (f.action !== 'insert')) throw new Error(`bad ${f.table} ${f.action} of ${id}`);
            if (f.action === 'delete') image.delete(id);
            else image.set(id, { ...image.get(id), ...r });
          }
        }
        for (const t of ['orderBookL2', 'orderBookL2_25'] as const) {
          const rows = [...images.get(t)!.values()];
          const side = (x: string) => rows.filter((r) => r.side === x).map((r) => ({ price: r.price, size: r.size, id: r.id }));
          const truth = s.truth('SOLUSD', t);
          expect(side('Buy').sort((a, b) => (b.price as number) - (a.price as number))).toEqual(truth.bids);
          expect(side('Sell').sort((a, b) => (a.price as number) - (b.price as number))).toEqual(truth.asks);
        }
        const truth = s.truth('SOLUSD');
        expect(book10).toMatchObject({ bids: truth.bids.slice(0, 10).map((l) => [l.price, l.size]), asks: truth.asks.slice(0, 10).map((l) => [l.price, l.size]) });
        expect(truth.bids[0]!.price).toBeLessThan(truth.asks[0]!.price);
        expect(s.truth('SOLUSD', 'orderBookL2_25').bids).toHaveLength(25);
        const ids = [...truth.bids, ...truth.asks].map((l) => l.id);
        expect(new Set(ids).size).toBe(ids.length);
      }),
      { numRuns: 25 },
    );
  });

  it('keeps realistic tick and lot sizes per symbol', () => {
    const s = new BitmexSimulator({ seed: 3 });
    s.step(300);
    const ticks = { XBTUSD: 0.5, ETHUSD: 0.05, SOLUSD: 0.01 };
    for (const [symbol, tick] of Object.entries(ticks)) {
      const t = s.truth(symbol);
      for (const l of [...t.bids, ...t.asks]) expect(Math.abs(l.price / tick - Math.round(l.price / tick))).toBeLessThan(1e-6);
      expect(t.bids[0]!.price).toBeLessThan(t.asks[0]!.price);
      expect(s.truth(symbol, 'orderBookL2_25').bids).toEqual(t.bids.slice(0, 25));
      expect(s.truth(symbol, 'orderBook10').asks).toEqual(t.asks.slice(0, 10));
    }
  });

  it('the instrument truth takes its updates in the order they are sent, also when one event spans milliseconds', async () => {
    // A clock that moves on every read: a trade's book change is stamped after its instrument
    // update was made, but that update is sent last (it was flaky with the wall clock: 1 ms off).
    let now = 1_700_000_000_000;
    const ticking = new BitmexSimulator({ seed: 42, clock: () => now++ });
    const { url: tickingUrl } = await ticking.start();
    try {
      const c = await connect(undefined, tickingUrl);
      c.send({ op: 'subscribe', args: 'instrument:XBTUSD' });
      await ticking.waitFor(() => ticking.connections()[0]?.subscriptions.length === 1);
      // After every event, not just the last: the truth must equal the frames applied in order.
      const row: Json = {};
      for (let i = 0; i < 200; i++) {
        ticking.step(1);
        for (const f of await c.sync()) if (f.table === 'instrument') for (const r of f.data as Json[]) Object.assign(row, r);
        // Through JSON, as the wire carries it (-0 becomes 0).
        expect(row).toEqual(JSON.parse(JSON.stringify(ticking.truthRows('instrument', 'XBTUSD')[0])));
      }
    } finally {
      await ticking.stop();
    }
  });

  it('truth() matches the image a client builds from the frames it received', async () => {
    const c = await connect();
    c.send({ op: 'authKeyExpires', args: authArgs() });
    await c.json();
    const topics = ['orderBookL2:XBTUSD', 'orderBookL2_25:XBTUSD', 'orderBook10:XBTUSD', 'quote:XBTUSD', 'instrument:XBTUSD', 'trade:XBTUSD', 'order', 'position', 'margin', 'wallet'];
    c.send({ op: 'subscribe', args: topics });
    await sim.waitFor(() => sim.connections()[0]?.subscriptions.length === topics.length);
    sim.step(1500);
    const frames = await c.sync();

    // A small keyed-table model, strict about unknown rows.
    const images = new Map<string, Map<string, Json>>();
    const keysOf = new Map<string, string[]>();
    const logs = new Map<string, Json[]>();
    for (const f of frames) {
      const table = f.table as string;
      if (f.success) continue;
      const rows = f.data as Json[];
      if (f.action === 'partial') {
        keysOf.set(table, f.keys as string[]);
        images.set(table, new Map());
        logs.set(table, []);
      }
      const keys = keysOf.get(table);
      if (!keys) throw new Error(`${table} frame before its partial`);
      if (keys.length === 0) {
        logs.get(table)!.push(...rows);
        continue;
      }
      const image = images.get(table)!;
      for (const row of rows) {
        const k = keys.map((key) => String(row[key])).join('|');
        if (f.action === 'partial' || f.action === 'insert') {
          if (f.action === 'insert') expect(image.has(k)).toBe(false);
          image.set(k, { ...row });
        } else if (f.action === 'update') {
          expect(image.has(k)).toBe(true);
          Object.assign(image.get(k)!, row);
        } else {
          expect(image.delete(k)).toBe(true);
        }
        if (table.startsWith('orderBookL2')) expect(typeof row.price).toBe('number');
      }
    }
    const book = (table: string): { bids: SimulatorLevel[]; asks: SimulatorLevel[] } => {
      const rows = [...images.get(table)!.values()];
      const side = (s: string) => rows.filter((r) => r.side === s).map((r) => ({ price: r.price as number, size: r.size as number, id: r.id as number }));
      return { bids: side('Buy').sort((a, b) => b.price - a.price), asks: side('Sell').sort((a, b) => a.price - b.price) };
    };
    expect(book('orderBookL2')).toEqual(sim.truth('XBTUSD'));
    expect(book('orderBookL2_25')).toEqual(sim.truth('XBTUSD', 'orderBookL2_25'));
    const top10 = sim.truth('XBTUSD', 'orderBook10');
    const row10 = [...images.get('orderBook10')!.values()][0]!;
    expect(row10.bids).toEqual(top10.bids.map((l) => [l.price, l.size]));
    expect(row10.asks).toEqual(top10.asks.map((l) => [l.price, l.size]));
    const lastQuote = logs.get('quote')!.at(-1)!;
    expect(lastQuote).toMatchObject({ bidPrice: top10.bids[0]!.price, bidSize: top10.bids[0]!.size, askPrice: top10.asks[0]!.price, askSize: top10.asks[0]!.size });
    expect(logs.get('trade')!.length).toBeGreaterThan(10);
    const inst = [...images.get('instrument')!.values()][0]!;
    expect(inst).toEqual(sim.truthRows('instrument', 'XBTUSD')[0]);
    expect(inst).toMatchObject({ bidPrice: top10.bids[0]!.price, askPrice: top10.asks[0]!.price, lastPrice: logs.get('trade')!.at(-1)!.price });

    // Private tables: the open orders, positions, margin and wallet of this account only.
    const open = [...images.get('order')!.values()].filter((o) => o.ordStatus === 'New' || o.ordStatus === 'PartiallyFilled');
    expect(open).toEqual(sim.truthRows('order', undefined, KEY));
    for (const t of ['position', 'margin', 'wallet']) expect([...images.get(t)!.values()]).toEqual(sim.truthRows(t, undefined, KEY));
    const account = sim.accountOf(KEY);
    for (const t of ['order', 'position', 'margin', 'wallet']) for (const r of images.get(t)!.values()) expect(r.account).toBe(account);
    expect(frames.some((f) => f.table === 'margin' && f.action === 'update')).toBe(true);
  });

  it('runs on a timer when tickMs is set, until stopTimer()', async () => {
    const timed = new BitmexSimulator({ tickMs: 5, seed: 9 });
    try {
      await timed.start();
      await timed.waitFor(() => timed.stats().steps >= 5);
      timed.stopTimer();
      const steps = timed.stats().steps;
      timed.step(2);
      expect(timed.stats().steps).toBe(steps + 2);
    } finally {
      await timed.stop();
    }
  });
});

describe('faults', () => {
  it('dropAll: clean close frame with code and reason', async () => {
    const c = await connect();
    expect(sim.dropAll({ code: 4001, reason: 'maintenance' })).toBe(1);
    expect(await c.waitClosed()).toEqual({ code: 4001, reason: 'maintenance' });
    await sim.waitFor(() => sim.closes.length === 1);
    expect(sim.closes[0]).toMatchObject({ connId: 1, code: 4001, reason: 'maintenance' });
  });

  it('drop(connId) closes only that connection', async () => {
    const a = await connect();
    const b = await connect();
    expect(sim.drop(2, { code: 4002, reason: 'bye' })).toBe(true);
    expect(await b.waitClosed()).toEqual({ code: 4002, reason: 'bye' });
    expect(sim.drop(99)).toBe(false);
    a.send('ping');
    expect(await a.next()).toBe('pong');
    expect(sim.connections().map((x) => x.id)).toEqual([1]);
  });

  it('start() on a busy port rejects and leaves the simulator startable', async () => {
    const busy = new BitmexSimulator({ port: sim.address!.port });
    await expect(busy.start()).rejects.toThrow(/EADDRINUSE/);
    // Still busy, but it really tried again instead of claiming to be started already.
    await expect(busy.start()).rejects.toThrow(/EADDRINUSE/);
    await busy.stop();
  });

  it('dropAll abrupt: socket destroyed without a close frame', async () => {
    const c = await connect();
    sim.dropAll({ abrupt: true });
    expect((await c.waitClosed()).code).toBe(1006);
    await sim.waitFor(() => sim.connections().length === 0);
  });

  it('silence: no pong, no replies, no data, no welcome for new connections; then back', async () => {
    const c = await connect();
    c.send({ op: 'subscribe', args: 'orderBookL2:XBTUSD' });
    await c.jsons(2);
    sim.silence(true);
    c.send('ping');
    c.send({ op: 'subscribe', args: 'trade' });
    sim.step(100);
    const fresh = await connect({ welcome: false });
    const sentBefore = sim.stats().framesSent;
    await sim.waitFor(() => sim.received.length === 3);
    c.ws.ping();
    const gotPong = new Promise<boolean>((resolve) => {
      c.ws.once('pong', () => resolve(true));
      setTimeout(() => resolve(false), 200);
    });
    expect(await gotPong).toBe(false);
    expect(await c.quietFor(100)).toBe(true);
    expect(fresh.texts).toEqual([]);
    expect(sim.stats().framesSent).toBe(sentBefore);
    expect(sim.connections()[0]?.subscriptions).toEqual(['orderBookL2:XBTUSD']);
    sim.silence(false);
    c.send('ping');
    expect(await c.next()).toBe('pong');
  });

  it('sendRaw to one connection or to all', async () => {
    const a = await connect();
    const b = await connect();
    expect(sim.sendRaw('{"hello":1}', 2)).toBe(1);
    expect(await b.next()).toBe('{"hello":1}');
    expect(sim.sendRaw('not json')).toBe(2);
    expect(await a.next()).toBe('not json');
    expect(await b.next()).toBe('not json');
  });

  it('refuseHandshakes: HTTP 429 with Retry-After and the JSON body, then accepts again', async () => {
    sim.refuseHandshakes(2, 7);
    for (let i = 0; i < 2; i++) {
      const res = await new Promise<{ status: number; retryAfter: string | undefined; body: string }>((resolve) => {
        const ws = new WebSocket(url);
        ws.on('error', () => undefined);
        ws.on('unexpected-response', (_req, r) => {
          let body = '';
          r.on('data', (d: Buffer) => (body += d));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, retryAfter: r.headers['retry-after'] as string | undefined, body }));
        });
      });
      expect(res).toEqual({ status: 429, retryAfter: '7', body: JSON.stringify({ error: 'Rate limit exceeded, retry in 7 seconds.' }) });
    }
    await connect();
    expect(sim.stats().handshakes).toEqual({ accepted: 1, refused: 2 });
  });

  it('rateLimitSubscribes: 429 error frames with meta.retryAfter for the next topics only', async () => {
    const c = await connect();
    sim.rateLimitSubscribes(2, 3);
    const req = { op: 'subscribe', args: ['trade:XBTUSD', 'quote:XBTUSD', 'instrument:XBTUSD'] };
    c.send(req);
    const [e1, e2, ok] = await c.jsons(3);
    for (const e of [e1, e2]) expect(e).toEqual({ status: 429, error: 'Rate limit exceeded, retry in 3 seconds.', meta: { retryAfter: 3 }, request: req });
    expect(ok).toMatchObject({ success: true, subscribe: 'instrument:XBTUSD' });
    expect(sim.connections()[0]?.subscriptions).toEqual(['instrument:XBTUSD']);
  });

  it('rejectPendingSubscribes: 503 error frames', async () => {
    const c = await connect();
    sim.rejectPendingSubscribes(1);
    c.send({ op: 'subscribe', args: 'trade:XBTUSD' });
    expect(await c.json()).toEqual({ status: 503, error: 'Max Pending subscription limit reached, please try again later.', meta: {}, request: { op: 'subscribe', args: 'trade:XBTUSD' } });
    c.send({ op: 'subscribe', args: 'trade:XBTUSD' });
    expect(await c.json()).toMatchObject({ success: true });
  });

  it('deltasBeforePartial: deltas of the topic arrive before the success frame and partial', async () => {
    const c = await connect();
    sim.deltasBeforePartial(1);
    c.send({ op: 'subscribe', args: ['orderBookL2:XBTUSD', 'quote:XBTUSD'] });
    const frames = await c.sync();
    const kinds = frames.map((f) => (f.success ? 'ok' : f.action));
    expect(kinds).toEqual(['update', 'update', 'ok', 'partial', 'ok', 'partial']);
    const partialIds = new Set((frames[3]!.data as Json[]).map((r) => r.id));
    for (const f of frames.slice(0, 2)) {
      expect(f.table).toBe('orderBookL2');
      for (const r of f.data as Json[]) expect(partialIds.has(r.id)).toBe(true);
    }
  });

  it('sendUnknownRowUpdate: an update for an id the book never had, to that topic only', async () => {
    const c = await connect();
    c.send({ op: 'subscribe', args: ['orderBookL2:XBTUSD', 'orderBookL2:ETHUSD'] });
    const [, partial] = await c.jsons(4);
    expect(sim.sendUnknownRowUpdate('XBTUSD')).toBe(1);
    const f = await c.json();
    expect(f).toMatchObject({ table: 'orderBookL2', action: 'update' });
    const row = (f.data as Json[])[0]!;
    expect(row).toMatchObject({ symbol: 'XBTUSD', side: 'Buy', price: expect.any(Number), size: expect.any(Number) });
    expect((partial!.data as Json[]).some((r) => r.id === row.id)).toBe(false);
    expect([...sim.truth('XBTUSD').bids, ...sim.truth('XBTUSD').asks].some((l) => l.id === row.id)).toBe(false);
  });
});

describe('observability', () => {
  it('logs received frames, parses ops, lists connections and emits events', async () => {
    const events: string[] = [];
    const off = sim.on((e) => events.push(e.type));
    const c = await connect();
    c.send('ping');
    c.send({ op: 'subscribe', args: ['instrument'] });
    c.send('garbage');
    await sim.waitFor(() => sim.received.length === 3);
    expect(sim.received.map((r) => [r.connId, r.path, r.text])).toEqual([
      [1, '/realtime', 'ping'],
      [1, '/realtime', '{"op":"subscribe","args":["instrument"]}'],
      [1, '/realtime', 'garbage'],
    ]);
    expect(sim.requests()).toEqual([{ op: 'subscribe', args: ['instrument'] }]);
    expect(sim.requests(2)).toEqual([]);
    expect(sim.connections()).toEqual([{ id: 1, path: '/realtime', authenticated: false, subscriptions: ['instrument'] }]);
    off();
    c.send('ping');
    await sim.waitFor(() => sim.received.length === 4);
    expect(events).toEqual(['connection', 'received', 'received', 'received']);
    await expect(sim.waitFor(() => false, 20)).rejects.toThrow(/waitFor/);
  });
});

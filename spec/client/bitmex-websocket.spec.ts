import { inspect } from 'node:util';
import { map } from 'rxjs';
import { BitmexApiError, BitmexWebSocket, type BitmexWebSocketOptions, type BookSnapshot, type Change } from '../../lib';
import { collectErrors, settle, waitFor } from '../support/helpers';
import { isTrueBook, useSimulator } from '../support/simulator';

const KEY = 'test-key';
const SECRET = 'test-secret-0123456789';

const fx = useSimulator({ seed: 7, apiKeys: { [KEY]: SECRET } }, { heartbeat: false });
const client = (options?: BitmexWebSocketOptions): BitmexWebSocket => fx.client(options);

/** Ops sent by clients so far, parsed, in order (literal pings excluded). */
function ops(): { op: string; args: unknown }[] {
  return fx.sim.received
    .filter((f) => f.text !== 'ping')
    .map((f) => JSON.parse(f.text) as { op: string; args: unknown });
}

function subscribeOps(): unknown[] {
  return ops().filter((o) => o.op === 'subscribe' || o.op === 'unsubscribe');
}

describe('construction', () => {
  it('rejects bad endpoints and half-given keys with a TypeError at once', () => {
    expect(() => new BitmexWebSocket({ endpoint: 'http://127.0.0.1/realtime' })).toThrow(TypeError);
    expect(() => new BitmexWebSocket({ endpoint: 'ws://127.0.0.1:1/other' })).toThrow(TypeError);
    expect(() => new BitmexWebSocket({ endpoint: 'devnet' })).toThrow(TypeError);
    expect(() => new BitmexWebSocket({ endpoint: fx.url, apiKey: 'k' })).toThrow(TypeError);
    expect(() => new BitmexWebSocket({ endpoint: fx.url, apiSecret: 's' })).toThrow(TypeError);
    expect(() => new BitmexWebSocket({ endpoint: fx.url, deadMansSwitch: 60000 })).toThrow(TypeError);
    expect(new BitmexWebSocket({ endpoint: 'testnet' }).url).toBe('wss://ws.testnet.bitmex.com/realtime');
    expect(new BitmexWebSocket().url).toBe('wss://ws.bitmex.com/realtime');
  });

  it('opens no socket until first use, then one that stays open without observers', async () => {
    const c = client();
    await settle(50);
    expect(fx.sim.connections()).toHaveLength(0);
    const statuses: string[] = [];
    fx.keep(c.status$.subscribe((s) => statuses.push(s)));
    await c.connect();
    expect(fx.sim.connections()).toHaveLength(1);
    expect(statuses).toEqual(['closed', 'connecting', 'open']);
    const s = c.table$('instrument').subscribe();
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.includes('instrument'));
    s.unsubscribe();
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.length === 0);
    expect(fx.sim.connections()).toHaveLength(1);
  });
});

describe('refcounted topics', () => {
  it('subscribes on the first observer, shares, and unsubscribes on the last', async () => {
    const c = client();
    const a: unknown[] = [];
    const b: unknown[] = [];
    const s1 = c.table$('trade', 'XBTUSD').subscribe((r) => a.push(r));
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.includes('trade:XBTUSD'));
    fx.sim.step(200);
    await waitFor(() => a.length > 0);
    const s2 = c.table$('trade', 'XBTUSD').subscribe((r) => b.push(r));
    // The late observer first gets the current image, then both get the same live rows.
    expect(b).toEqual(a);
    const seen = a.length;
    fx.sim.step(200);
    await waitFor(() => a.length > seen && b.length === a.length);
    expect(b).toEqual(a);
    s1.unsubscribe();
    await settle(30);
    expect(subscribeOps()).toEqual([{ op: 'subscribe', args: ['trade:XBTUSD'] }]);
    s2.unsubscribe();
    await waitFor(() => subscribeOps().length === 2);
    expect(subscribeOps()).toEqual([
      { op: 'subscribe', args: ['trade:XBTUSD'] },
      { op: 'unsubscribe', args: ['trade:XBTUSD'] },
    ]);
  });

  it('sends topics requested in the same tick as one subscribe with an args array', async () => {
    const c = client();
    fx.keep(c.table$('instrument').subscribe());
    fx.keep(c.book$('XBTUSD').subscribe());
    fx.keep(c.changes$('trade', ['XBTUSD', 'ETHUSD']).subscribe());
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.length === 4);
    expect(subscribeOps()).toEqual([
      { op: 'subscribe', args: ['instrument', 'orderBookL2:XBTUSD', 'trade:XBTUSD', 'trade:ETHUSD'] },
    ]);
  });

  it('gives a late observer the current state first, then live data', async () => {
    const c = client();
    const first: unknown[] = [];
    fx.keep(c.table$('instrument', 'XBTUSD').subscribe((r) => first.push(r)));
    await waitFor(() => first.length > 0);
    const late: { symbol: string }[] = [];
    fx.keep(c.table$('instrument', 'XBTUSD').subscribe((r) => late.push(r as { symbol: string })));
    expect(late).toHaveLength(1);
    expect(late[0]?.symbol).toBe('XBTUSD');

    const lateChanges: Change[] = [];
    fx.keep(c.changes$('instrument', 'XBTUSD').subscribe((ch) => lateChanges.push(ch)));
    expect(lateChanges[0]).toMatchObject({ table: 'instrument', action: 'partial', symbol: 'XBTUSD' });
    expect(lateChanges[0]?.rows).toHaveLength(1);

    const books: BookSnapshot[] = [];
    fx.keep(c.book$('XBTUSD', { depth: 5 }).subscribe((b) => books.push(b)));
    await waitFor(() => books.length > 0);
    const lateBooks: BookSnapshot[] = [];
    fx.keep(c.book$('XBTUSD', { depth: 5 }).subscribe((b) => lateBooks.push(b)));
    expect(lateBooks).toHaveLength(1);
    expect(lateBooks[0]).toEqual(books[books.length - 1]);
    // Both observers of the book share one server subscription.
    expect(subscribeOps().filter((o) => JSON.stringify(o).includes('orderBookL2:XBTUSD'))).toHaveLength(1);
  });

  it('follows several symbols with one stream', async () => {
    const c = client();
    const seen = new Set<string>();
    fx.keep(c.table$('instrument', ['XBTUSD', 'ETHUSD']).subscribe((r) => seen.add(r.symbol)));
    await waitFor(() => seen.size === 2);
    expect([...seen].sort()).toEqual(['ETHUSD', 'XBTUSD']);
  });

  it('routes by table and symbol even when an unfiltered topic is also live', async () => {
    const c = client();
    const xbt: string[] = [];
    const all = new Set<string>();
    fx.keep(c.table$('trade').subscribe((r) => all.add(r.symbol)));
    fx.keep(c.table$('trade', 'XBTUSD').subscribe((r) => xbt.push(r.symbol)));
    // One server subscription: the whole table's serves the symbol too.
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.join() === 'trade');
    fx.sim.step(400);
    await waitFor(() => all.size >= 2 && xbt.length > 0);
    expect(new Set(xbt)).toEqual(new Set(['XBTUSD']));
  });
});

describe('errors', () => {
  it('delivers an error frame to the observers of the topics in that request only', async () => {
    const c = client();
    const trades: unknown[] = [];
    fx.keep(c.table$('trade', 'XBTUSD').subscribe((r) => trades.push(r)));
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.includes('trade:XBTUSD'));
    const err = await new Promise<unknown>((resolve) => {
      fx.keep(c.table$('noSuchTable').subscribe({ error: resolve }));
    });
    expect(err).toBeInstanceOf(BitmexApiError);
    expect((err as BitmexApiError).status).toBe(400);
    expect((err as BitmexApiError).request).toEqual({ op: 'subscribe', args: ['noSuchTable'] });
    const before = trades.length;
    fx.sim.step(300);
    await waitFor(() => trades.length > before);
  });

  it('attributes an error in a multi-topic request to the topic it names, not to live ones', async () => {
    const c = client();
    let instrumentError: unknown;
    let bogusError: unknown;
    const rows: unknown[] = [];
    fx.keep(c.table$('instrument', 'XBTUSD').subscribe({ next: (r) => rows.push(r), error: (e) => (instrumentError = e) }));
    fx.keep(c.table$('bogus').subscribe({ error: (e) => (bogusError = e) }));
    await waitFor(() => bogusError);
    expect(subscribeOps()).toEqual([{ op: 'subscribe', args: ['instrument:XBTUSD', 'bogus'] }]);
    await waitFor(() => rows.length > 0);
    expect(instrumentError).toBeUndefined();
  });

  it('reports a private topic without keys as a 401 BitmexApiError', async () => {
    const c = client();
    const err = await new Promise<unknown>((resolve) => fx.keep(c.table$('order').subscribe({ error: resolve })));
    expect(err).toBeInstanceOf(BitmexApiError);
    expect((err as BitmexApiError).status).toBe(401);
  });

  it('skips and reports a malformed frame; streams keep flowing', async () => {
    const c = client();
    const problems = collectErrors(c);
    const trades: unknown[] = [];
    fx.keep(c.table$('trade', 'XBTUSD').subscribe((r) => trades.push(r)));
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.includes('trade:XBTUSD'));
    fx.sim.sendRaw('{"table":"trade","action":');
    fx.sim.sendRaw('not json at all');
    await waitFor(() => problems.length === 2);
    const before = trades.length;
    fx.sim.step(300);
    await waitFor(() => trades.length > before);
  });

  it('isolates observers: one that throws in its pipeline does not stop another', async () => {
    const c = client();
    let failed: unknown;
    const ok: unknown[] = [];
    fx.keep(
      c.table$('trade', 'XBTUSD')
        .pipe(
          map(() => {
            throw new Error('user bug');
          }),
        )
        .subscribe({ error: (e) => (failed = e) }),
    );
    fx.keep(c.table$('trade', 'XBTUSD').subscribe((r) => ok.push(r)));
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.includes('trade:XBTUSD'));
    fx.sim.step(300);
    await waitFor(() => failed);
    const before = ok.length;
    fx.sim.step(300);
    await waitFor(() => ok.length > before);
  });
});

describe('authentication', () => {
  it('authenticates with authKeyExpires before subscribing private topics', async () => {
    const c = client({ apiKey: KEY, apiSecret: SECRET });
    const orders: unknown[] = [];
    fx.keep(c.table$('position').subscribe((r) => orders.push(r)));
    await c.connect();
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.includes('position'));
    const sent = ops();
    expect(sent[0]?.op).toBe('authKeyExpires');
    const args = sent[0]?.args as [string, number, string];
    expect(args[0]).toBe(KEY);
    expect(args[1]).toBeGreaterThan(Date.now() / 1000);
    expect(sent[1]).toEqual({ op: 'subscribe', args: ['position'] });
    expect(fx.sim.connections()[0]?.authenticated).toBe(true);
  });

  it('keeps the secret out of anything inspectable and off the wire', async () => {
    const c = client({ apiKey: KEY, apiSecret: SECRET });
    await c.connect();
    expect(inspect(c, { depth: 8, showHidden: true })).not.toContain(SECRET);
    expect(fx.sim.received.map((r) => r.text).join('\n')).not.toContain(SECRET);
  });

  it('fails private topics with a 401 and keeps public ones on a bad secret', async () => {
    const c = client({ apiKey: KEY, apiSecret: 'wrong' });
    await expect(c.connect()).rejects.toMatchObject({ status: 401 });
    const err = await new Promise<unknown>((resolve) => fx.keep(c.table$('order').subscribe({ error: resolve })));
    expect(err).toBeInstanceOf(BitmexApiError);
    expect((err as BitmexApiError).status).toBe(401);
    expect(JSON.stringify(err)).not.toContain('wrong');
    const rows: unknown[] = [];
    fx.keep(c.table$('instrument', 'XBTUSD').subscribe((r) => rows.push(r)));
    await waitFor(() => rows.length > 0);
  });
});

describe('books and immutability', () => {
  it('keeps book$ equal to the simulator truth after thousands of steps on two symbols', async () => {
    const c = client();
    const latest = new Map<string, BookSnapshot>();
    for (const symbol of ['XBTUSD', 'ETHUSD']) {
      fx.keep(c.book$(symbol, { depth: 10_000 }).subscribe((b) => latest.set(symbol, b)));
    }
    await waitFor(() => latest.size === 2);
    for (let i = 0; i < 20; i++) {
      fx.sim.step(200);
      await settle(5);
    }
    for (const symbol of ['XBTUSD', 'ETHUSD']) {
      await waitFor(() => isTrueBook(latest.get(symbol), fx.sim, symbol), 5000, `${symbol} book to equal truth`);
    }
  });

  it.each(['orderBookL2_25', 'orderBook10'] as const)('follows %s books too', async (table) => {
    const c = client();
    let latest: BookSnapshot | undefined;
    fx.keep(c.book$('ETHUSD', { depth: 25, table }).subscribe((b) => (latest = b)));
    await waitFor(() => latest);
    fx.sim.step(1000);
    await waitFor(() => isTrueBook(latest, fx.sim, 'ETHUSD', { table }), 5000, `${table} equal to truth`);
    expect(latest!.bids.length).toBe(table === 'orderBook10' ? 10 : 25);
  });

  it('never changes emitted rows or snapshots afterwards', async () => {
    const c = client();
    const rows: { row: object; copy: unknown }[] = [];
    const books: { book: BookSnapshot; copy: unknown }[] = [];
    fx.keep(c.table$('orderBookL2', 'XBTUSD').subscribe((r) => rows.push({ row: r, copy: structuredClone(r) })));
    fx.keep(c.book$('XBTUSD', { depth: 5 }).subscribe((b) => books.push({ book: b, copy: structuredClone(b) })));
    await waitFor(() => books.length > 0);
    fx.sim.step(500);
    await settle(100);
    expect(rows.length).toBeGreaterThan(10);
    expect(books.length).toBeGreaterThan(2);
    for (const { row, copy } of rows) {
      expect(Object.isFrozen(row)).toBe(true);
      expect(row).toEqual(copy);
    }
    for (const { book, copy } of books) {
      expect(Object.isFrozen(book)).toBe(true);
      expect(Object.isFrozen(book.bids)).toBe(true);
      expect(book).toEqual(copy);
    }
  });
});

describe('close()', () => {
  it('closes with 1000, sends no unsubscribe, completes every stream', async () => {
    const c = client();
    let completed = 0;
    fx.keep(c.table$('trade', 'XBTUSD').subscribe({ complete: () => completed++ }));
    fx.keep(c.book$('XBTUSD').subscribe({ complete: () => completed++ }));
    let statusDone = false;
    fx.keep(c.status$.subscribe({ complete: () => (statusDone = true) }));
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.length === 2);
    const before = subscribeOps().length;
    const closing = c.close();
    expect(c.close()).toBe(closing);
    await closing;
    expect(completed).toBe(2);
    expect(statusDone).toBe(true);
    await waitFor(() => fx.sim.closes.length > 0);
    expect(fx.sim.closes[0]?.code).toBe(1000);
    expect(subscribeOps().length).toBe(before);
  });
});

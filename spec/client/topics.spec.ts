/**
 * Topic lifecycle against the simulator: whole-table and per-symbol topics of one table each
 * own what they feed, and subscribe races and rate-limit retries stay clean on the wire.
 */
import type { AddressInfo } from 'node:net';
import { take } from 'rxjs';
import { WebSocketServer, type WebSocket } from 'ws';
import { BitmexApiError, BitmexConnectionError, BitmexInconsistencyError, BitmexWebSocket, type BookSnapshot, type Change, type Trade } from '../../lib';
import { collectErrors, settle, waitFor } from '../support/helpers';
import { answerSuccess, requestTopics, useRawServer, welcome } from '../support/raw-server';
import { isTrueBook, useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 5 }, { heartbeat: false, reconnect: { initialDelayMs: 20, maxDelayMs: 80 } });

/** Subscribe and unsubscribe requests the server received, in order. */
function topicOps(): { op: string; args: string[] }[] {
  return fx.sim
    .requests()
    .filter((r) => r.op === 'subscribe' || r.op === 'unsubscribe')
    .map((r) => ({ op: r.op, args: r.args as string[] }));
}

const serverTopics = (): string[] => [...(fx.sim.connections()[0]?.subscriptions ?? [])].sort();

describe('whole-table and per-symbol topics of one table', () => {
  it('a resync while the whole table serves the symbol holds the rows back until the fresh partial', async () => {
    const c = fx.client();
    const errors = collectErrors(c);
    const changes: Change[] = [];
    fx.keep(c.changes$('orderBookL2').subscribe((ch) => changes.push(ch)));
    const books: BookSnapshot[] = [];
    fx.keep(c.book$('XBTUSD', { depth: 1000 }).subscribe((b) => books.push(b)));
    // One server subscription: the whole table's serves XBTUSD too.
    await waitFor(() => serverTopics().length === 1 && books.length > 0);
    fx.sim.step(200);
    await waitFor(() => isTrueBook(books[books.length - 1], fx.sim, 'XBTUSD'), 5000, 'XBTUSD true');
    const booksBefore = books.length;
    const changesBefore = changes.length;
    // While the client resyncs, the market moves: deltas come in before the server even reads
    // the unsubscribe.
    let stepped = false;
    fx.keep(c.errors$.subscribe(() => !stepped && (stepped = true) && fx.sim.step(300)));
    fx.sim.sendUnknownRowUpdate('XBTUSD');
    await waitFor(() => topicOps().length === 3, 5000, 'the resync');
    expect(topicOps().slice(1)).toEqual([
      { op: 'unsubscribe', args: ['orderBookL2'] },
      { op: 'subscribe', args: ['orderBookL2'] },
    ]);
    fx.sim.step(200);
    await waitFor(() => isTrueBook(books[books.length - 1], fx.sim, 'XBTUSD'), 5000, 'XBTUSD true again');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(BitmexInconsistencyError);
    expect((errors[0] as BitmexInconsistencyError).topic).toBe('orderBookL2');
    // No book rebuilt from deltas alone: every book after the resync is a whole one.
    const levels = fx.sim.truth('XBTUSD').bids.length;
    for (const b of books.slice(booksBefore)) expect(b.bids.length).toBeGreaterThan(levels / 2);
    // The whole-table observer got nothing of XBTUSD between the drop and the fresh partial.
    const xbt = changes.slice(changesBefore).filter((ch) => ch.symbol === 'XBTUSD' || (ch.action === 'partial' && ch.symbol === undefined));
    expect(xbt[0]?.action).toBe('partial');
  });

  it('a symbol joining a live whole table gets the whole table\'s rows of it, each once (no subscribe of its own)', async () => {
    const c = fx.client();
    fx.sim.step(300);
    fx.keep(c.table$('trade').subscribe());
    await waitFor(() => serverTopics().includes('trade'));
    await waitFor(() => c.storage.rows('trade').length > 0);
    fx.sim.deltasBeforePartial(1);
    const xbt: Trade[] = [];
    fx.keep(c.table$('trade', 'XBTUSD').subscribe((t) => xbt.push(t)));
    await waitFor(() => xbt.length > 0);
    await settle(50);
    const image = fx.sim.truthRows('trade', 'XBTUSD');
    expect(xbt.map((t) => t.trdMatchID)).toEqual(image.map((t) => t.trdMatchID));
  });

  it('an image lives only while a topic feeds it; nothing is left once every observer left', async () => {
    const c = fx.client();
    const errors = collectErrors(c);
    const all = c.changes$('orderBookL2').subscribe();
    const trades = c.table$('trade').subscribe();
    let xbt: BookSnapshot | undefined;
    const book = c.book$('XBTUSD', { depth: 10_000 }).subscribe((b) => (xbt = b));
    await waitFor(() => serverTopics().length === 2 && c.storage.book('ETHUSD') !== undefined && xbt !== undefined);

    all.unsubscribe();
    expect(c.storage.book('ETHUSD')).toBeUndefined();
    await waitFor(() => serverTopics().length === 2);
    fx.sim.step(300);
    await waitFor(() => isTrueBook(xbt, fx.sim, 'XBTUSD'), 5000, 'XBTUSD true');
    expect(c.storage.book('ETHUSD')).toBeUndefined();

    // A later ETHUSD topic starts from its own partial, skipping the deltas sent before it.
    fx.sim.deltasBeforePartial(1);
    let eth: BookSnapshot | undefined;
    const ethBook = c.book$('ETHUSD', { depth: 10_000 }).subscribe((b) => (eth = b));
    fx.sim.step(100);
    await waitFor(() => isTrueBook(eth, fx.sim, 'ETHUSD'), 5000, 'ETHUSD true');

    for (const s of [book, ethBook, trades]) s.unsubscribe();
    expect(c.storage.tables()).toEqual([]);
    await waitFor(() => serverTopics().length === 0);
    fx.sim.step(100);
    await settle(50);
    expect(c.storage.tables()).toEqual([]);
    expect(errors).toEqual([]);
  });
});

/**
 * A look-alike whose replies each arrive in their own read, 15 ms apart, in request order: as
 * when a large partial takes a while to arrive.
 */
async function slowServer(): Promise<{ url: string; received: string[]; close(): Promise<void> }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => server.once('listening', () => r()));
  const received: string[] = [];
  server.on('connection', (ws) => {
    ws.send(JSON.stringify({ info: 'Welcome, slowly.', version: '1', timestamp: new Date().toISOString() }));
    const subscribed = new Set<string>();
    let queue = Promise.resolve();
    const later = (frame: unknown): void => {
      queue = queue.then(() => new Promise<void>((r) => setTimeout(() => r(ws.readyState === 1 ? ws.send(JSON.stringify(frame)) : undefined), 15)));
    };
    ws.on('message', (data) => {
      const text = String(data);
      if (text === 'ping') return void ws.send('pong'); // the client measures round trips
      received.push(text);
      const request = JSON.parse(text) as { op: string; args: string[] };
      for (const topic of request.args) {
        if (request.op === 'subscribe') {
          subscribed.add(topic);
          later({ success: true, subscribe: topic, request });
          later({
            table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol: 'XBTUSD' },
            data: [{ symbol: 'XBTUSD', id: 1, side: 'Sell', size: 5, price: 101 }, { symbol: 'XBTUSD', id: 2, side: 'Buy', size: 7, price: 100 }],
          });
        } else if (subscribed.delete(topic)) {
          later({ success: true, unsubscribe: topic, request });
        } else {
          later({ status: 400, error: `Not subscribed to ${topic}.`, meta: {}, request });
        }
      }
    });
  });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/realtime`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('races and retries', () => {
  it('an observer leaving in its own callback (its image dropped) does not disturb the others', async () => {
    const c = fx.client();
    const errors = collectErrors(c);
    fx.sim.step(300);
    // The only observer of trade:XBTUSD leaves on its first row, while that state is being
    // delivered to the observers after it.
    const first: Trade[] = [];
    fx.keep(c.table$('trade', 'XBTUSD').pipe(take(1)).subscribe((t) => first.push(t)));
    let book: BookSnapshot | undefined;
    let bookError: unknown;
    fx.keep(c.book$('XBTUSD', { depth: 10_000 }).subscribe({ next: (b) => (book = b), error: (e) => (bookError = e) }));
    await waitFor(() => first.length === 1 && book !== undefined);
    await waitFor(() => serverTopics().length === 1);
    fx.sim.step(300);
    await waitFor(() => isTrueBook(book, fx.sim, 'XBTUSD') || bookError !== undefined, 5000, 'XBTUSD true');
    expect(bookError).toBeUndefined();
    expect(errors).toEqual([]);
    expect(c.storage.tables()).toEqual(['orderBookL2']);
  });

  it('a success frame arriving while the unsubscribe is in flight does not mark the topic subscribed', async () => {
    const server = await slowServer();
    const c = new BitmexWebSocket({ endpoint: server.url, heartbeat: false });
    try {
      const errors = collectErrors(c);
      await c.connect();
      const s = c.book$('XBTUSD').subscribe();
      await Promise.resolve();
      await Promise.resolve();
      s.unsubscribe();
      await waitFor(() => server.received.length === 2);
      await settle(150);
      expect(server.received.map((t) => JSON.parse(t) as unknown)).toEqual([
        { op: 'subscribe', args: ['orderBookL2:XBTUSD'] },
        { op: 'unsubscribe', args: ['orderBookL2:XBTUSD'] },
      ]);
      expect(errors).toEqual([]);
      expect(c.storage.tables()).toEqual([]);
    } finally {
      await c.close();
      await server.close();
    }
  });

  it('subscribe then unsubscribe before the partial: one unsubscribe, no error, and it can come back', async () => {
    const c = fx.client();
    const errors = collectErrors(c);
    await c.connect();
    const s = c.book$('XBTUSD', { depth: 10_000 }).subscribe();
    // Let the subscribe go out (one microtask), then leave before any answer can arrive.
    await Promise.resolve();
    await Promise.resolve();
    s.unsubscribe();
    await waitFor(() => topicOps().length === 2);
    await settle(100);
    expect(topicOps()).toEqual([
      { op: 'subscribe', args: ['orderBookL2:XBTUSD'] },
      { op: 'unsubscribe', args: ['orderBookL2:XBTUSD'] },
    ]);
    expect(errors).toEqual([]);
    expect(serverTopics()).toEqual([]);
    expect(c.storage.tables()).toEqual([]);

    let book: BookSnapshot | undefined;
    fx.keep(c.book$('XBTUSD', { depth: 10_000 }).subscribe((b) => (book = b)));
    fx.sim.step(100);
    await waitFor(() => isTrueBook(book, fx.sim, 'XBTUSD'), 5000, 'the book after coming back');
    expect(topicOps()).toHaveLength(3);
  });

  it.each([
    ['429', () => fx.sim.rateLimitSubscribes(2, 1), 429],
    ['503', () => fx.sim.rejectPendingSubscribes(2), 503],
  ] as const)('retries a multi-topic subscribe refused with one %s per topic in one batched request', async (_name, refuse, status) => {
    const c = fx.client();
    const errors = collectErrors(c);
    await c.connect();
    refuse();
    let xbt: BookSnapshot | undefined;
    let eth: BookSnapshot | undefined;
    fx.keep(c.book$('XBTUSD').subscribe((b) => (xbt = b)));
    fx.keep(c.book$('ETHUSD').subscribe((b) => (eth = b)));
    await waitFor(() => xbt !== undefined && eth !== undefined, 8000, 'both books after the retry');
    const subscribes = fx.sim.received.filter((r) => r.text.includes('"subscribe"'));
    expect(subscribes.map((r) => JSON.parse(r.text) as unknown)).toEqual([
      { op: 'subscribe', args: ['orderBookL2:XBTUSD', 'orderBookL2:ETHUSD'] },
      { op: 'subscribe', args: ['orderBookL2:XBTUSD', 'orderBookL2:ETHUSD'] },
    ]);
    if (status === 429) expect(subscribes[1]!.at - subscribes[0]!.at).toBeGreaterThanOrEqual(950);
    // One report for the refused request, saying when it is retried; the second answer to the
    // same request is that same refusal.
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(BitmexApiError);
    const e = errors[0] as BitmexApiError;
    expect(e.status).toBe(status);
    expect(e.request).toEqual({ op: 'subscribe', args: ['orderBookL2:XBTUSD', 'orderBookL2:ETHUSD'] });
    if (status === 429) expect(e.retryInMs).toBe(1000);
    else expect(e.retryInMs).toBeGreaterThanOrEqual(500);
  });

  it('a stray success for a topic waiting out a 429, whose partial never comes: the socket is given up after subscribeTimeoutMs and the book comes back', async () => {
    const c = fx.client({ subscribeTimeoutMs: 400 });
    const errors = collectErrors(c);
    await c.connect();
    fx.sim.rateLimitSubscribes(1, 30);
    let book: BookSnapshot | undefined;
    fx.keep(c.book$('XBTUSD', { depth: 10_000 }).subscribe((b) => (book = b)));
    await waitFor(() => errors.length === 1, 2000, 'the refusal');
    fx.sim.sendRaw(JSON.stringify({ success: true, subscribe: 'orderBookL2:XBTUSD', request: { op: 'subscribe', args: ['orderBookL2:XBTUSD'] } }));
    fx.sim.step(100);
    await waitFor(() => isTrueBook(book, fx.sim, 'XBTUSD'), 5000, 'the book on a new socket, long before the 30 s retry');
    expect(fx.sim.closes).toHaveLength(1);
    expect((errors[0] as BitmexApiError).status).toBe(429);
    expect((errors[1] as BitmexConnectionError).code).toBe(4004);
    expect((errors[1] as BitmexConnectionError).message).toContain('orderBookL2:XBTUSD');
  });

  it.each([
    ['a tiny', 0.001, 100],
    ['a huge', 1e10, 3_600_000],
  ] as const)('takes %s 429 retryAfter within bounds (no request loop, no timer overflow)', async (_name, retryAfter, expected) => {
    const c = fx.client();
    const errors = collectErrors(c);
    await c.connect();
    fx.sim.rateLimitSubscribes(1, retryAfter);
    fx.keep(c.book$('XBTUSD').subscribe());
    await waitFor(() => errors.length === 1);
    expect((errors[0] as BitmexApiError).retryInMs).toBe(expected);
    await settle(50);
    // Not retried at once (a timer past 2^31 ms would have fired immediately).
    expect(fx.sim.received.filter((r) => r.text.includes('"subscribe"'))).toHaveLength(1);
  });
});

/**
 * A look-alike that refuses the first topic of the first multi-topic subscribe with a 429 naming
 * no topic and lets the others through 100 ms later (BitMEX answers a request topic by topic);
 * every trade goes once to each `trade` subscription held, as BitMEX streams each on its own.
 */
function topicByTopicServer(): { readonly url: string; readonly held: Set<string>; trade(): void } {
  const held = new Set<string>();
  const sockets: WebSocket[] = [];
  let tradeNo = 0;
  let refused = false;
  beforeEach(() => {
    held.clear();
    sockets.length = 0;
    tradeNo = 0;
    refused = false;
  });
  const partialOf = (topic: string): string | undefined =>
    topic.startsWith('trade') ? JSON.stringify({ table: 'trade', action: 'partial', keys: [], filter: topic.includes(':') ? { symbol: 'XBTUSD' } : {}, data: [] }) : undefined;
  const raw = useRawServer((ws) => {
    sockets.push(ws);
    ws.send(welcome());
    return (req) => {
      const topics = requestTopics(req);
      if (req.op === 'unsubscribe') {
        for (const topic of topics) held.delete(topic);
        answerSuccess(ws, req);
      } else if (req.op === 'subscribe' && !refused && topics.length > 1) {
        refused = true;
        ws.send(JSON.stringify({ status: 429, error: 'Rate limit exceeded, retry in 30 seconds.', meta: { retryAfter: 30 }, request: req }));
        setTimeout(() => {
          for (const topic of topics.slice(1)) {
            held.add(topic);
            ws.send(JSON.stringify({ success: true, subscribe: topic, request: req }));
            const partial = partialOf(topic);
            if (partial !== undefined) ws.send(partial);
          }
        }, 100);
      } else if (req.op === 'subscribe') {
        for (const topic of topics) held.add(topic);
        answerSuccess(ws, req, partialOf);
      }
    };
  });
  return {
    get url() {
      return raw.url;
    },
    held,
    trade() {
      const row = { symbol: 'XBTUSD', side: 'Buy', size: 1, price: 100, trdMatchID: `t${++tradeNo}`, timestamp: new Date().toISOString() };
      for (const topic of held) if (topic.startsWith('trade')) for (const ws of sockets) ws.send(JSON.stringify({ table: 'trade', action: 'insert', data: [row] }));
    },
  };
}

describe('a refusal that named no topic, then a success for one of them', () => {
  const server = topicByTopicServer();
  it('a whole table whose success follows the 429 covers its symbol again at once: each trade once, not twice until the retry', async () => {
    const c = fx.client({ endpoint: server.url });
    const errors = collectErrors(c);
    // One request [instrument, trade]: the 429 answers instrument without naming it, so it is
    // taken for both, and trade:XBTUSD (no longer covered) subscribes its own; then trade's
    // success and partial say trade got through after all.
    fx.keep(c.table$('instrument').subscribe());
    fx.keep(c.table$('trade').subscribe());
    const ids: string[] = [];
    fx.keep(c.table$('trade', 'XBTUSD').subscribe((t) => ids.push(t.trdMatchID)));
    await waitFor(() => server.held.has('trade'), 5000, "trade's late success");
    await settle(100);
    for (let i = 0; i < 3; i++) server.trade();
    await waitFor(() => ids.length >= 3, 5000, 'the trades');
    await settle(100);
    expect(ids).toEqual(['t1', 't2', 't3']);
    expect([...server.held].sort()).toEqual(['trade']);
    expect(errors).toHaveLength(1);
    c.close();
  });
});

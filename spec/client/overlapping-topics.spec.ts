/**
 * A whole-table topic and per-symbol topics of the same table observed together. Each BitMEX
 * subscription is its own stream (its own partial, its own 50 ms conflation), so with both
 * `orderBookL2` and `orderBookL2:XBTUSD` subscribed every XBTUSD delta arrives twice: a delete
 * found nothing the second time (a spurious resync) and trades showed twice. The client holds one
 * server subscription per row set: while the whole table is observed, it serves the symbols too.
 */
import { BitmexInconsistencyError, type BookSnapshot, type Trade } from '../../lib';
import { collectErrors, settle, waitFor } from '../support/helpers';
import { requestTopics, useRawServer, welcome } from '../support/raw-server';
import { isTrueBook, useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 21 }, { heartbeat: false, reconnect: { initialDelayMs: 20, maxDelayMs: 80 } });

const serverTopics = (): string[] => [...(fx.sim.connections()[0]?.subscriptions ?? [])].sort();

/** A client observing the whole orderBookL2 table and XBTUSD's book, once both are there. */
async function wholeAndXbt(): Promise<{ errors: unknown[]; book: () => BookSnapshot | undefined }> {
  const c = fx.client();
  const errors = collectErrors(c);
  fx.keep(c.changes$('orderBookL2').subscribe());
  let latest: BookSnapshot | undefined;
  fx.keep(c.book$('XBTUSD', { depth: 10_000 }).subscribe((b) => (latest = b)));
  await waitFor(() => serverTopics().length > 0 && latest !== undefined);
  return { errors, book: () => latest };
}

describe('whole table and symbol observed together (the simulator sends each subscription its own copy)', () => {
  it('book deltas: no resync, the book stays true, one server subscription', async () => {
    const { errors, book } = await wholeAndXbt();
    for (let i = 0; i < 10; i++) {
      fx.sim.step(100);
      await settle(10);
    }
    await waitFor(() => isTrueBook(book(), fx.sim, 'XBTUSD'), 5000, 'XBTUSD true');
    expect(serverTopics()).toEqual(['orderBookL2']);
    expect(errors.filter((e) => e instanceof BitmexInconsistencyError)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('trades: each trade once in the symbol stream', async () => {
    const c = fx.client();
    const xbt: Trade[] = [];
    const all: Trade[] = [];
    fx.keep(c.table$('trade').subscribe((t) => all.push(t)));
    fx.keep(c.table$('trade', 'XBTUSD').subscribe((t) => xbt.push(t)));
    await waitFor(() => serverTopics().length > 0);
    await settle(50);
    const before = xbt.length;
    fx.sim.step(400);
    await waitFor(() => xbt.length > before && all.some((t) => t.symbol !== 'XBTUSD'));
    await settle(50);
    const ids = xbt.map((t) => t.trdMatchID);
    expect(new Set(ids).size).toBe(ids.length);
    expect(xbt.every((t) => t.symbol === 'XBTUSD')).toBe(true);
  });

  it('the whole table joining a live symbol, then leaving: handed over both ways, true throughout, no error', async () => {
    const c = fx.client();
    const errors = collectErrors(c);
    const books: BookSnapshot[] = [];
    fx.keep(c.book$('XBTUSD', { depth: 10_000 }).subscribe((b) => books.push(b)));
    await waitFor(() => serverTopics().length === 1 && books.length > 0);
    fx.sim.step(100);
    await waitFor(() => isTrueBook(books[books.length - 1], fx.sim, 'XBTUSD'), 5000, 'XBTUSD alone');

    const whole = c.changes$('orderBookL2').subscribe();
    fx.sim.step(50); // the market moves while the subscriptions are handed over
    await waitFor(() => serverTopics().join() === 'orderBookL2' && c.storage.book('ETHUSD') !== undefined, 5000, 'the whole table serves');
    fx.sim.step(200);
    await waitFor(() => isTrueBook(books[books.length - 1], fx.sim, 'XBTUSD'), 5000, 'XBTUSD through the whole table');

    whole.unsubscribe();
    fx.sim.step(50);
    await waitFor(() => serverTopics().join() === 'orderBookL2:XBTUSD', 5000, 'the symbol serves again');
    fx.sim.step(200);
    await waitFor(() => isTrueBook(books[books.length - 1], fx.sim, 'XBTUSD'), 5000, 'XBTUSD alone again');
    expect(c.storage.book('ETHUSD')).toBeUndefined();
    expect(errors).toEqual([]);
    // Never a book rebuilt from deltas alone, never an empty one while handing over.
    const levels = fx.sim.truth('XBTUSD').bids.length;
    for (const b of books) expect(b.bids.length).toBeGreaterThan(levels / 2);
  });

  it('the whole table refused with 429 while a symbol is live: the symbol keeps its own subscription until the retry', async () => {
    const c = fx.client();
    const errors = collectErrors(c);
    let book: BookSnapshot | undefined;
    fx.keep(c.book$('XBTUSD', { depth: 10_000 }).subscribe((b) => (book = b)));
    await waitFor(() => serverTopics().length === 1 && book !== undefined);
    fx.sim.rateLimitSubscribes(1, 3);
    fx.keep(c.changes$('orderBookL2').subscribe());
    await waitFor(() => errors.length > 0, 2000, 'the refusal');
    const refusedAt = Date.now();
    fx.sim.step(200);
    // Within the 3 s the server asked to wait, XBTUSD follows through its own subscription.
    await waitFor(() => isTrueBook(book, fx.sim, 'XBTUSD'), 2500, 'XBTUSD true while the whole table waits');
    expect(Date.now() - refusedAt).toBeLessThan(2800);
    expect(serverTopics()).toEqual(['orderBookL2:XBTUSD']);
    await waitFor(() => serverTopics().join() === 'orderBookL2', 5000, 'the whole table after its retry');
    fx.sim.step(200);
    await waitFor(() => isTrueBook(book, fx.sim, 'XBTUSD'), 3000, 'XBTUSD true through the whole table');
    expect(errors).toHaveLength(1);
  });

  it('an inconsistency in a symbol served by the whole table resyncs the whole table', async () => {
    const { errors, book } = await wholeAndXbt();
    fx.sim.sendUnknownRowUpdate('XBTUSD');
    await waitFor(() => errors.length > 0);
    fx.sim.step(200);
    await waitFor(() => isTrueBook(book(), fx.sim, 'XBTUSD'), 5000, 'XBTUSD true again');
    expect(errors).toHaveLength(1);
    expect((errors[0] as BitmexInconsistencyError).topic).toBe('orderBookL2');
    const ops = fx.sim.requests().filter((r) => r.op === 'subscribe' || r.op === 'unsubscribe');
    expect(ops.map((r) => [r.op, r.args])).toEqual([
      ['subscribe', ['orderBookL2']],
      ['unsubscribe', ['orderBookL2']],
      ['subscribe', ['orderBookL2']],
    ]);
  });
});

/** Private partials as a look-alike may send them: `filter` names the account only, never the symbol. */
let privateSubscribes: string[] = [];
const raw = useRawServer((ws) => {
  ws.send(welcome());
  return (req) => {
    if (req.op === 'authKeyExpires') return void ws.send(JSON.stringify({ success: true, request: req }));
    const topics = requestTopics(req);
    for (const topic of topics) {
      if (req.op !== 'subscribe') {
        ws.send(JSON.stringify({ success: true, unsubscribe: topic, request: req }));
        continue;
      }
      privateSubscribes.push(topic);
      const symbol = topic.split(':')[1];
      const rows = [
        { orderID: 'a1', account: 1, symbol: 'XBTUSD', side: 'Buy', orderQty: 100, leavesQty: 100, price: 100, ordStatus: 'New' },
        { orderID: 'b2', account: 1, symbol: 'ETHUSD', side: 'Sell', orderQty: 5, leavesQty: 5, price: 3000, ordStatus: 'New' },
      ].filter((r) => symbol === undefined || r.symbol === symbol);
      ws.send(JSON.stringify({ success: true, subscribe: topic, request: req }));
      ws.send(JSON.stringify({ table: 'order', action: 'partial', keys: ['orderID'], filter: { account: 1 }, data: rows }));
    }
  };
});

describe('per-symbol private partials whose filter names no symbol', () => {
  beforeEach(() => {
    privateSubscribes = [];
  });
  const keys = { apiKey: 'k', apiSecret: 's', subscribeTimeoutMs: 800 };

  it('with the whole table observed: the symbol stream has its rows at once, no timeout', async () => {
    const c = fx.client({ endpoint: raw.url, ...keys });
    const errors = collectErrors(c);
    const all: unknown[] = [];
    fx.keep(c.table$('order').subscribe((r) => all.push(r)));
    await waitFor(() => all.length === 2);
    const xbt: { orderID: string }[] = [];
    fx.keep(c.table$('order', 'XBTUSD').subscribe((r) => xbt.push(r)));
    await waitFor(() => xbt.length > 0, 500, 'the XBTUSD orders');
    await settle(1000);
    expect(xbt.map((r) => r.orderID)).toEqual(['a1']);
    expect(errors).toEqual([]);
  });

  it('symbols alone: each partial goes to its own topic and wipes no other symbol', async () => {
    const c = fx.client({ endpoint: raw.url, ...keys });
    const errors = collectErrors(c);
    const xbt: { orderID: string }[] = [];
    const eth: { orderID: string }[] = [];
    fx.keep(c.table$('order', 'XBTUSD').subscribe((r) => xbt.push(r)));
    fx.keep(c.table$('order', 'ETHUSD').subscribe((r) => eth.push(r)));
    await waitFor(() => xbt.length > 0 && eth.length > 0, 600, 'both symbols');
    await settle(1000);
    expect(privateSubscribes).toEqual(['order:XBTUSD', 'order:ETHUSD']);
    expect(c.storage.rows('order').map((r) => r.orderID).sort()).toEqual(['a1', 'b2']);
    expect(errors).toEqual([]);
  });
});

/**
 * Frames a hostile or broken server might send, once, after the welcome (issue 14): none may take
 * the process down; each unusable one is reported on errors$ and skipped; the other topics keep
 * flowing, exactly (books equal the simulator's truth).
 */
import { BitmexInconsistencyError, FrameParseError, type BookSnapshot, type Row } from '../../lib';
import { collectErrors, waitFor } from '../support/helpers';
import { isTrueBook, useSimulator } from '../support/simulator';
import { useRawServer, welcome } from '../support/raw-server';

const fx = useSimulator({ seed: 5 });

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
    const c = fx.client({ heartbeat: { idleMs: 2000, timeoutMs: 2000 }, reconnect: { initialDelayMs: 20, maxDelayMs: 80 } });
    const problems: unknown[] = [];
    const books = new Map<string, BookSnapshot>();
    for (const symbol of ['XBTUSD', 'ETHUSD']) {
      fx.keep(c.book$(symbol, { depth: 1000 }).subscribe({ next: (b) => books.set(symbol, b), error: (e) => problems.push(e) }));
    }
    const instruments: Row[] = [];
    fx.keep(c.table$('instrument', 'XBTUSD').subscribe({ next: (r) => instruments.push(r), error: (e) => problems.push(e) }));
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.length === 3 && books.size === 2 && instruments.length > 0);

    expect(fx.sim.sendRaw(text)).toBe(1);
    fx.sim.step(300);
    const same = (s: string): boolean => {
      const t = fx.sim.truth(s);
      const b = books.get(s);
      return b !== undefined && JSON.stringify(b.bids) === JSON.stringify(t.bids) && JSON.stringify(b.asks) === JSON.stringify(t.asks);
    };
    await waitFor(() => same('XBTUSD') && same('ETHUSD'), 5000, 'books equal to truth');
    expect(problems).toEqual([]);
    // Compared as JSON: the wire turns the simulator's -0 into 0.
    const instrumentText = (): string => JSON.stringify(c.storage.rows('instrument', 'XBTUSD'));
    await waitFor(() => instrumentText() === JSON.stringify(fx.sim.truthRows('instrument', 'XBTUSD')), 5000, 'instrument rows equal to truth');
    expect(fx.sim.connections()).toHaveLength(1); // no reconnect was needed
  });

  it.each(HOSTILE.filter(([name]) => !/20,000|Object.prototype|error frame|success frame|welcome|cancelAllAfter/.test(name)))(
    '%s: reported on errors$ as a FrameParseError',
    async (_name, text) => {
      const c = fx.client();
      const errors = collectErrors(c);
      await c.connect();
      fx.sim.sendRaw(text);
      await waitFor(() => errors.length > 0);
      expect(errors[0]).toBeInstanceOf(FrameParseError);
    },
  );
});

describe('a partial with filter null while that topic\'s partial is awaited', () => {
  // For each subscribed topic: the success frame, a partial with `filter: null`, then the real partial.
  const raw = useRawServer((ws) => {
    ws.send(welcome());
    return (req) => {
      if (req.op !== 'subscribe' || !Array.isArray(req.args)) return;
      for (const topic of req.args as string[]) {
        const [table, symbol] = topic.split(':');
        ws.send(JSON.stringify({ success: true, subscribe: topic, request: req }));
        ws.send(JSON.stringify({ table, action: 'partial', keys: ['symbol'], filter: null, data: [{ symbol, markPrice: 666 }] }));
        ws.send(JSON.stringify({ table, action: 'partial', keys: ['symbol'], filter: { symbol }, data: [{ symbol, markPrice: 1 }] }));
      }
    };
  });

  it('is reported and skipped; the real partial then fills the topic', async () => {
    const c = fx.client({ endpoint: raw.url });
    const errors = collectErrors(c);
    const rows: Row[] = [];
    const problems: unknown[] = [];
    fx.keep(c.table$('instrument', 'XBTUSD').subscribe({ next: (r) => rows.push(r), error: (e) => problems.push(e) }));
    await waitFor(() => rows.length > 0);
    expect(rows).toEqual([{ symbol: 'XBTUSD', markPrice: 1 }]);
    expect(errors[0]).toBeInstanceOf(FrameParseError);
    expect(problems).toEqual([]);
  });
});

describe('rows the reducer cannot use, through a whole-table topic', () => {
  it('an order-book row without a symbol is reported on errors$ and skipped; the books stay exact', async () => {
    const c = fx.client();
    const problems: unknown[] = [];
    const errors = collectErrors(c);
    fx.keep(c.changes$('orderBookL2').subscribe({ error: (e) => problems.push(e) }));
    let book: BookSnapshot | undefined;
    fx.keep(c.book$('XBTUSD', { depth: 1000 }).subscribe({ next: (b) => (book = b), error: (e) => problems.push(e) }));
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.length === 1 && book !== undefined);

    fx.sim.sendRaw('{"table":"orderBookL2","action":"update","data":[{"id":1,"side":"Buy","size":5}]}');
    await waitFor(() => errors.length > 0);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(FrameParseError);
    expect((errors[0] as FrameParseError).message).toBe('orderBookL2: row 0 of update has no string symbol; skipped');
    expect((errors[0] as FrameParseError).raw).toBe('{"id":1,"side":"Buy","size":5}');
    fx.sim.step(300);
    await waitFor(() => isTrueBook(book, fx.sim, 'XBTUSD'), 5000, 'book equal to truth');
    expect(problems).toEqual([]);
    expect(fx.sim.connections()).toHaveLength(1);
  });
});

describe('rows whose symbol is not a string, through symbols\' topics', () => {
  it('are reported on errors$ and skipped (as through a whole table); the books stay exact', async () => {
    const c = fx.client();
    const errors = collectErrors(c);
    const problems: unknown[] = [];
    let book: BookSnapshot | undefined;
    fx.keep(c.book$('XBTUSD', { depth: 1000 }).subscribe({ next: (b) => (book = b), error: (e) => problems.push(e) }));
    fx.keep(c.table$('instrument', 'XBTUSD').subscribe({ error: (e) => problems.push(e) }));
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.length === 2 && book !== undefined);

    const id = fx.sim.truth('XBTUSD').bids[0]?.id;
    fx.sim.sendRaw(`{"table":"orderBookL2","action":"update","data":[{"symbol":"XBTUSD","id":${id},"side":"Buy"},{"symbol":5,"id":${id},"side":"Buy","size":1}]}`);
    fx.sim.sendRaw('{"table":"instrument","action":"update","data":[{"symbol":["XBTUSD"],"markPrice":1}]}');
    await waitFor(() => errors.length >= 2);
    expect(errors.map((e) => e.message)).toEqual(['orderBookL2: row 1 of update has no string symbol; skipped', 'instrument: row 0 of update has no string symbol; skipped']);
    expect(errors.every((e) => e instanceof FrameParseError)).toBe(true);
    expect((errors[0] as FrameParseError).raw).toBe(`{"symbol":5,"id":${id},"side":"Buy","size":1}`);
    fx.sim.step(300);
    await waitFor(() => isTrueBook(book, fx.sim, 'XBTUSD'), 5000, 'book equal to truth');
    expect(problems).toEqual([]);
    expect(errors).toHaveLength(2);
  });
});

describe('a partial carrying rows of another symbol than its filter\'s', () => {
  it('those rows are reported and skipped, never added to that symbol\'s book', async () => {
    const c = fx.client();
    const errors = collectErrors(c);
    const books = new Map<string, BookSnapshot>();
    for (const symbol of ['XBTUSD', 'ETHUSD']) fx.keep(c.book$(symbol, { depth: 1000 }).subscribe((b) => books.set(symbol, b)));
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.length === 2 && books.size === 2);

    const ghost = { symbol: 'ETHUSD', id: 1, side: 'Buy', size: 1, price: 1 };
    const data = [...fx.sim.truthRows('orderBookL2', 'XBTUSD'), ghost];
    fx.sim.sendRaw(JSON.stringify({ table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter: { symbol: 'XBTUSD' }, data }));
    await waitFor(() => errors.length > 0);
    fx.sim.step(300);
    await waitFor(() => isTrueBook(books.get('XBTUSD'), fx.sim, 'XBTUSD') && isTrueBook(books.get('ETHUSD'), fx.sim, 'ETHUSD'), 5000, 'both books equal to truth');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(FrameParseError);
    expect(errors[0]?.message).toMatch(/^orderBookL2: row \d+ of partial is for ETHUSD, not its filter's XBTUSD; skipped$/);
    expect((errors[0] as FrameParseError).raw).toBe(JSON.stringify(ghost));
  });
});

describe('an unsubscribe answer for a live topic the client never unsubscribed', () => {
  it('does not error the stream; the topic is resubscribed from a fresh partial, reported once', async () => {
    const c = fx.client();
    const problems: unknown[] = [];
    const errors = collectErrors(c);
    let book: BookSnapshot | undefined;
    fx.keep(c.book$('XBTUSD', { depth: 1000 }).subscribe({ next: (b) => (book = b), error: (e) => problems.push(e) }));
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.length === 1 && book !== undefined);

    // The simulator still holds the subscription: subscribing again at once is refused as "already subscribed".
    fx.sim.sendRaw(JSON.stringify({ success: true, unsubscribe: 'orderBookL2:XBTUSD', request: { op: 'unsubscribe', args: ['orderBookL2:XBTUSD'] } }));
    await waitFor(() => fx.sim.requests().length === 3, 2000, 'the resubscribe');
    fx.sim.step(300);
    await waitFor(() => isTrueBook(book, fx.sim, 'XBTUSD'), 5000, 'book equal to truth');
    expect(problems).toEqual([]);
    expect(fx.sim.requests().map((r) => `${r.op} ${String(r.args)}`)).toEqual([
      'subscribe orderBookL2:XBTUSD', 'unsubscribe orderBookL2:XBTUSD', 'subscribe orderBookL2:XBTUSD',
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(BitmexInconsistencyError);
    expect((errors[0] as BitmexInconsistencyError).topic).toBe('orderBookL2:XBTUSD');
  });
});

/**
 * The simulator's market: determinism per seed, frames that rebuild its truth, the timer.
 * Over real sockets on 127.0.0.1 with a plain `ws` client (spec/support/simulator-sockets).
 */
import fc from 'fast-check';
import { BitmexSimulator, type MarketFrame, type SimulatorLevel } from '../../lib/testing';
import { KEY, SECRET, type Json, authArgs, sim, connect, useSimulatorSockets } from '../support/simulator-sockets';

useSimulatorSockets();

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

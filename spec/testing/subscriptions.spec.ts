/**
 * The simulator's subscribe and unsubscribe: success frames, partials, and which rows each topic gets.
 * Over real sockets on 127.0.0.1 with a plain `ws` client (spec/support/simulator-sockets).
 */
import { type Json, sim, connect, useSimulatorSockets } from '../support/simulator-sockets';

useSimulatorSockets();

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

/**
 * The simulator's faults: drops, silence, raw frames, refused handshakes and subscribes, odd deltas.
 * Over real sockets on 127.0.0.1 with a plain `ws` client (spec/support/simulator-sockets).
 */
import WebSocket from 'ws';
import { BitmexSimulator } from '../../lib/testing';
import { type Json, sim, url, connect, useSimulatorSockets } from '../support/simulator-sockets';

useSimulatorSockets();

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

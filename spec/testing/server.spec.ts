/**
 * The simulator's server: the handshake and welcome, ping, stop(), and what it lets a test observe.
 * Over real sockets on 127.0.0.1 with a plain `ws` client (spec/support/simulator-sockets).
 */
import { request as httpRequest } from 'node:http';
import WebSocket from 'ws';
import { Client, sim, url, platformUrl, httpUrl, connect, useSimulatorSockets } from '../support/simulator-sockets';

useSimulatorSockets();

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

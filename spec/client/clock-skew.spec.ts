/**
 * Clock skew (issue 14): a local clock minutes off the server's must not make authentication fail.
 * The client signs with the server's time: from the welcome's `timestamp`, or — when a server
 * sends none — from the "request has expired ... Current time: N" answer, once.
 */
import { BitmexWebSocket } from '../../lib';
import { BitmexSimulator } from '../../lib/testing';
import { checkAuth } from '../../lib/testing/auth';
import { ERRORS } from '../../lib/testing/protocol';
import { waitFor } from '../support/helpers';
import { useRawServer, welcome } from '../support/raw-server';

const KEY = 'skew-key';
const SECRET = 'skew-secret';
const clients: BitmexWebSocket[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe.each([
  ['5 minutes ahead', 5 * 60_000],
  ['5 minutes behind', -5 * 60_000],
])('a simulator whose clock is %s', (_name, offset) => {
  let sim: BitmexSimulator;
  beforeEach(async () => {
    sim = new BitmexSimulator({ apiKeys: { [KEY]: SECRET }, clockOffsetMs: offset });
    await sim.start();
  });
  afterEach(() => sim.stop());

  it('is authenticated on the first try, expires signed in its time', async () => {
    const c = new BitmexWebSocket({ endpoint: sim.address!.url, apiKey: KEY, apiSecret: SECRET });
    clients.push(c);
    await c.connect();
    expect(sim.connections()[0]?.authenticated).toBe(true);
    const auths = sim.requests().filter((r) => r.op === 'authKeyExpires');
    expect(auths).toHaveLength(1);
    const expires = (auths[0]?.args as [string, number, string])[1];
    const serverSeconds = Math.floor(sim.now() / 1000);
    expect(expires).toBeGreaterThan(serverSeconds);
    expect(expires).toBeLessThanOrEqual(serverSeconds + 120);
  });
});

describe('a server 5 minutes ahead whose welcome carries no timestamp', () => {
  const auths: unknown[][] = [];
  const serverNow = (): number => Date.now() + 5 * 60_000;
  const raw = useRawServer((ws) => {
    ws.send(welcome(false));
    return (req) => {
      if (req.op !== 'authKeyExpires' || !Array.isArray(req.args)) return;
      auths.push(req.args);
      const [key, expires, signature] = req.args as unknown[];
      const failure = checkAuth(key, expires, signature, (k) => (k === KEY ? SECRET : undefined), serverNow());
      ws.send(JSON.stringify(failure ? { status: failure.status, error: failure.error, meta: {}, request: req } : { success: true, request: req }));
    };
  });
  beforeEach(() => {
    auths.length = 0;
  });

  it('signs again with the time its "expired" answer gives, once, and is authenticated', async () => {
    expect(ERRORS.expired(1)).toContain('Current time: 1');
    const c = new BitmexWebSocket({ endpoint: raw.url, apiKey: KEY, apiSecret: SECRET });
    clients.push(c);
    await c.connect();
    expect(auths).toHaveLength(2);
    const [first, second] = auths.map((a) => a[1] as number);
    expect(second! - first!).toBeGreaterThan(4 * 60);
  });
});

describe('a row stamped in the future (a broken or hostile feed)', () => {
  const expires: number[] = [];
  const FUTURE = '2099-01-01T00:00:00.000Z';
  const raw = useRawServer((ws, n) => {
    ws.send(welcome());
    return (req) => {
      if (req.op !== 'authKeyExpires' || !Array.isArray(req.args)) return;
      expires.push(req.args[1] as number);
      ws.send(JSON.stringify({ success: true, request: req }));
      if (n > 1) return;
      // Enough frames for the clock to read a row stamp of one, then a restart of the server.
      for (let i = 0; i < 40; i++) ws.send(JSON.stringify({ table: 'trade', action: 'insert', data: [{ symbol: 'XBTUSD', side: 'Buy', size: 1, price: 1, timestamp: FUTURE }] }));
      setTimeout(() => ws.close(1011, 'restart'), 50);
    };
  });
  beforeEach(() => {
    expires.length = 0;
  });

  it('does not move the next authentication\'s expires: it is signed from that welcome\'s time', async () => {
    const c = new BitmexWebSocket({ endpoint: raw.url, apiKey: KEY, apiSecret: SECRET, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
    clients.push(c);
    c.errors$.subscribe(() => undefined);
    await c.connect();
    await waitFor(() => expires.length === 2);
    const nowSeconds = Date.now() / 1000;
    // Signed for 2099, the request would stay valid (and replayable) for decades.
    for (const e of expires) expect(e).toBeLessThanOrEqual(nowSeconds + 120);
  });
});

/**
 * The simulator rejects what BitMEX rejects (expires in ms or far ahead, upper-case signatures,
 * non-integer expires), and its clock can be shifted to test clock skew.
 */
import WebSocket from 'ws';
import { signRequest } from '../../lib/client/sign';
import { BitmexSimulator } from '../../lib/testing';

const KEY = 'strict-key';
const SECRET = 'strict-secret';

let sim: BitmexSimulator;
let url: string;
const sockets: WebSocket[] = [];

beforeEach(async () => {
  sim = new BitmexSimulator({ apiKeys: { [KEY]: SECRET } });
  ({ url } = await sim.start());
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  await sim.stop();
});

/** Opens a plain socket and returns a function giving the next frame, parsed (welcome first). */
async function open(headers?: Record<string, string>): Promise<{ ws: WebSocket; next(): Promise<Record<string, unknown>> }> {
  const ws = new WebSocket(url, { headers });
  sockets.push(ws);
  const queue: string[] = [];
  const waiters: ((t: string) => void)[] = [];
  ws.on('message', (d: WebSocket.RawData) => {
    const w = waiters.shift();
    if (w) w(d.toString());
    else queue.push(d.toString());
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const next = async (): Promise<Record<string, unknown>> => {
    const text = queue.shift() ?? (await new Promise<string>((resolve) => waiters.push(resolve)));
    return JSON.parse(text) as Record<string, unknown>;
  };
  return { ws, next };
}

async function authReply(args: unknown[]): Promise<Record<string, unknown>> {
  const c = await open();
  await c.next(); // welcome
  c.ws.send(JSON.stringify({ op: 'authKeyExpires', args }));
  return c.next();
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe('simulator authentication is as strict as BitMEX', () => {
  it('accepts expires in seconds a minute ahead with a lower-case hex signature', async () => {
    const expires = nowSeconds() + 60;
    expect(await authReply([KEY, expires, signRequest(SECRET, 'GET', '/realtime', expires)])).toMatchObject({ success: true });
  });

  it('rejects expires in milliseconds, even correctly signed', async () => {
    const expires = Date.now() + 60_000;
    const reply = await authReply([KEY, expires, signRequest(SECRET, 'GET', '/realtime', expires)]);
    expect(reply).toMatchObject({ status: 401, error: expect.stringContaining('too far in the future') });
  });

  it('rejects expires more than an hour ahead', async () => {
    const expires = nowSeconds() + 365 * 86400;
    expect(await authReply([KEY, expires, signRequest(SECRET, 'GET', '/realtime', expires)])).toMatchObject({ status: 401 });
  });

  it('rejects an upper-case signature', async () => {
    const expires = nowSeconds() + 60;
    const reply = await authReply([KEY, expires, signRequest(SECRET, 'GET', '/realtime', expires).toUpperCase()]);
    expect(reply).toMatchObject({ status: 401, error: 'Signature not valid.' });
  });

  it('rejects a fractional or non-numeric expires', async () => {
    const expires = nowSeconds() + 60.5;
    expect(await authReply([KEY, expires, signRequest(SECRET, 'GET', '/realtime', expires)])).toMatchObject({ status: 400 });
    expect(await authReply([KEY, 'soon', signRequest(SECRET, 'GET', '/realtime', 0)])).toMatchObject({ status: 400 });
  });

  it('rejects a header expires in milliseconds', async () => {
    const expires = Date.now() + 60_000;
    const c = await open({ 'api-key': KEY, 'api-expires': String(expires), 'api-signature': signRequest(SECRET, 'GET', '/realtime', expires) });
    await c.next(); // welcome
    expect(await c.next()).toMatchObject({ status: 401 });
    expect(sim.connections()[0]?.authenticated).toBe(false);
  });
});

describe('simulator clock offset', () => {
  it('shifts the welcome timestamp and the expires check by clockOffsetMs', async () => {
    await sim.stop();
    sim = new BitmexSimulator({ apiKeys: { [KEY]: SECRET }, clockOffsetMs: 5 * 60_000 });
    ({ url } = await sim.start());
    const c = await open();
    const welcome = await c.next();
    const skew = Date.parse(welcome.timestamp as string) - Date.now();
    expect(skew).toBeGreaterThan(4 * 60_000);
    expect(skew).toBeLessThan(6 * 60_000);
    // Signed with the local clock, 5 minutes behind the server: expired there.
    const expires = nowSeconds() + 60;
    c.ws.send(JSON.stringify({ op: 'authKeyExpires', args: [KEY, expires, signRequest(SECRET, 'GET', '/realtime', expires)] }));
    expect(await c.next()).toMatchObject({ status: 401, error: expect.stringContaining('expired') });
  });

  it('setClockOffset moves the clock while running; a server behind rejects a local expires as too far ahead', async () => {
    sim.setClockOffset(-2 * 3600_000);
    expect(sim.now() - Date.now()).toBeLessThan(-3600_000);
    const expires = nowSeconds() + 60;
    expect(await authReply([KEY, expires, signRequest(SECRET, 'GET', '/realtime', expires)])).toMatchObject({ status: 401 });
  });

  it('rejects an offset that is not a finite number', () => {
    expect(() => new BitmexSimulator({ clockOffsetMs: NaN })).toThrow(TypeError);
    expect(() => sim.setClockOffset(Infinity)).toThrow(TypeError);
  });
});

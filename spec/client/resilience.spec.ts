import { spawn } from 'node:child_process';
import { join } from 'node:path';
import {
  BitmexApiError,
  BitmexConnectionError,
  BitmexInconsistencyError,
  BitmexWebSocket,
  type BitmexWebSocketOptions,
  type BookSnapshot,
  type Change,
} from '../../lib';
import { collectErrors, settle, waitFor } from '../support/helpers';
import { isTrueBook, useSimulator } from '../support/simulator';

const KEY = 'resilience-key';
const SECRET = 'resilience-secret';

// Heartbeat long enough not to fire spuriously on a loaded CI machine; the heartbeat tests
// use their own short settings.
const FAST: BitmexWebSocketOptions = {
  heartbeat: { idleMs: 2000, timeoutMs: 2000 },
  reconnect: { initialDelayMs: 20, maxDelayMs: 80 },
};

const fx = useSimulator({ seed: 11, apiKeys: { [KEY]: SECRET } }, FAST);
const client = (options?: BitmexWebSocketOptions): BitmexWebSocket => fx.client(options);

/** JSON requests of one server-side connection, in order. */
function requestsOf(connId: number): { op: string; args?: unknown }[] {
  return fx.sim.requests(connId) as { op: string; args?: unknown }[];
}

function latestConnId(): number {
  const conns = fx.sim.connections();
  const last = conns[conns.length - 1];
  if (last === undefined) throw new Error('no connection');
  return last.id;
}

/** Observes books of two symbols and all error/completion signals of the streams. */
function watchBooks(c: BitmexWebSocket, symbols = ['XBTUSD', 'ETHUSD']) {
  const latest = new Map<string, BookSnapshot>();
  const problems: unknown[] = [];
  for (const symbol of symbols) {
    fx.keep(
      c.book$(symbol, { depth: 1000 }).subscribe({
        next: (b) => latest.set(symbol, b),
        error: (e) => problems.push(e),
        complete: () => problems.push('complete'),
      }),
    );
  }
  return { latest, problems, symbols };
}

async function booksMatchTruth(w: ReturnType<typeof watchBooks>): Promise<void> {
  fx.sim.step(300);
  for (const s of w.symbols) await waitFor(() => isTrueBook(w.latest.get(s), fx.sim, s), 5000, `${s} book equal to truth`);
}

/** The one subscribe a fresh connection sent must cover exactly the observed topics. */
function expectResubscribed(connId: number, topics: string[]): void {
  const reqs = requestsOf(connId).filter((r) => r.op === 'subscribe' || r.op === 'unsubscribe');
  expect(reqs).toHaveLength(1);
  expect(reqs[0]?.op).toBe('subscribe');
  expect([...(reqs[0]?.args as string[])].sort()).toEqual([...topics].sort());
}

describe.each([
  ['clean close', { abrupt: false, code: 1001, reason: 'going away' }],
  ['abrupt drop', { abrupt: true }],
])('after a %s', (_name, drop) => {
  it('reconnects, resubscribes the observed topics once, and the books equal the truth', async () => {
    const c = client();
    const statuses: string[] = [];
    fx.keep(c.status$.subscribe((s) => statuses.push(s)));
    const w = watchBooks(c);
    const partials: Change[] = [];
    fx.keep(c.changes$('instrument', 'XBTUSD').subscribe((ch) => ch.action === 'partial' && partials.push(ch)));
    // A topic observed then released before the drop must not come back.
    const gone = c.table$('trade', 'SOLUSD').subscribe();
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.length === 4);
    gone.unsubscribe();
    await booksMatchTruth(w);
    const firstConn = latestConnId();
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.length === 3);

    fx.sim.dropAll(drop);
    await waitFor(() => fx.sim.connections().length === 1 && latestConnId() !== firstConn && fx.sim.connections()[0]?.subscriptions.length === 3);
    await waitFor(() => partials.length === 2);
    await booksMatchTruth(w);

    expectResubscribed(latestConnId(), ['orderBookL2:XBTUSD', 'orderBookL2:ETHUSD', 'instrument:XBTUSD']);
    expect(w.problems).toEqual([]);
    expect(statuses).toEqual(['closed', 'connecting', 'open', 'reconnecting', 'open']);
  });
});

describe('faults', () => {
  it('detects a silent (half-open) connection by heartbeat and reconnects', async () => {
    const c = client({ heartbeat: { idleMs: 150, timeoutMs: 150 } });
    const w = watchBooks(c, ['XBTUSD']);
    await booksMatchTruth(w);
    const firstConn = latestConnId();
    fx.sim.silence(true);
    await waitFor(() => fx.sim.received.some((r) => r.connId === firstConn && r.text === 'ping'), 3000, 'a ping');
    const statuses: string[] = [];
    fx.keep(c.status$.subscribe((s) => statuses.push(s)));
    await waitFor(() => statuses.includes('reconnecting'), 3000, 'reconnecting');
    fx.sim.silence(false);
    await waitFor(() => fx.sim.connections().some((k) => k.id !== firstConn && k.subscriptions.length === 1), 5000, 'resubscribed');
    await booksMatchTruth(w);
    expectResubscribed(latestConnId(), ['orderBookL2:XBTUSD']);
    expect(w.problems).toEqual([]);
  });

  it('pings when idle and stays connected while pongs come back', async () => {
    const c = client({ heartbeat: { idleMs: 100, timeoutMs: 1000 } });
    await c.connect();
    const connId = latestConnId();
    await waitFor(() => fx.sim.received.filter((r) => r.connId === connId && r.text === 'ping').length >= 3, 3000, 'three pings');
    expect(fx.sim.connections().map((k) => k.id)).toEqual([connId]);
  });

  it('waits at least Retry-After when the handshake is refused with 429', async () => {
    const c = client();
    const w = watchBooks(c, ['XBTUSD']);
    await booksMatchTruth(w);
    let refusedAt = 0;
    let acceptedAt = 0;
    const off = fx.sim.on((e) => {
      if (e.type === 'handshakeRefused') refusedAt = Date.now();
      if (e.type === 'connection' && refusedAt > 0 && acceptedAt === 0) acceptedAt = Date.now();
    });
    fx.sim.refuseHandshakes(1, 1);
    fx.sim.dropAll({ abrupt: true });
    await waitFor(() => acceptedAt, 5000, 'a new handshake');
    off();
    expect(acceptedAt - refusedAt).toBeGreaterThanOrEqual(950);
    await booksMatchTruth(w);
    expectResubscribed(latestConnId(), ['orderBookL2:XBTUSD']);
    expect(w.problems).toEqual([]);
  });

  it('retries a subscribe answered with 429 after meta.retryAfter, without erroring the stream', async () => {
    const c = client();
    await c.connect();
    fx.sim.rateLimitSubscribes(1, 1);
    const w = watchBooks(c, ['XBTUSD']);
    await waitFor(() => w.latest.size === 1, 5000, 'the book after the retry');
    const times = fx.sim.received.filter((r) => r.text.includes('"subscribe"')).map((r) => r.at);
    expect(times).toHaveLength(2);
    expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(950);
    expect(w.problems).toEqual([]);
    await booksMatchTruth(w);
  });

  it('retries a subscribe answered with 503 (max pending subscriptions) with backoff, reported once on errors$', async () => {
    const c = client();
    const errors = collectErrors(c);
    await c.connect();
    fx.sim.rejectPendingSubscribes(1);
    const w = watchBooks(c, ['ETHUSD']);
    await waitFor(() => w.latest.size === 1, 5000, 'the book after the retry');
    const subscribes = fx.sim.received.filter((r) => r.text.includes('"subscribe"')).map((r) => r.at);
    expect(subscribes).toHaveLength(2);
    expect(w.problems).toEqual([]);
    expect(errors).toHaveLength(1);
    const e = errors[0] as BitmexApiError;
    expect(e).toBeInstanceOf(BitmexApiError);
    expect(e.status).toBe(503);
    // Backoff with jitter from 1 s: between half and all of it, and the retry went out then.
    expect(e.retryInMs).toBeGreaterThanOrEqual(500);
    expect(e.retryInMs).toBeLessThanOrEqual(1000);
    expect((subscribes[1] ?? 0) - (subscribes[0] ?? 0)).toBeGreaterThanOrEqual((e.retryInMs ?? 0) - 50);
  });

  it('resubscribes just the topic whose image went wrong (update for an unknown row)', async () => {
    const c = client();
    const errors = collectErrors(c);
    const w = watchBooks(c);
    await booksMatchTruth(w);
    const connId = latestConnId();
    fx.sim.sendUnknownRowUpdate('XBTUSD');
    await waitFor(() => errors.length > 0);
    expect(errors[0]).toBeInstanceOf(BitmexInconsistencyError);
    expect((errors[0] as BitmexInconsistencyError).topic).toBe('orderBookL2:XBTUSD');
    await waitFor(() => requestsOf(connId).length === 3);
    expect(requestsOf(connId).slice(1)).toEqual([
      { op: 'unsubscribe', args: ['orderBookL2:XBTUSD'] },
      { op: 'subscribe', args: ['orderBookL2:XBTUSD'] },
    ]);
    await booksMatchTruth(w);
    expect(w.problems).toEqual([]);
  });

  it('backs off when the server keeps contradicting the image', async () => {
    const c = client();
    const errors = collectErrors(c);
    const w = watchBooks(c, ['XBTUSD']);
    await booksMatchTruth(w);
    const connId = latestConnId();
    const subscribeTimes = () => fx.sim.received.filter((r) => r.connId === connId && r.text.includes('"subscribe"')).map((r) => r.at);
    fx.sim.sendUnknownRowUpdate('XBTUSD');
    await waitFor(() => subscribeTimes().length === 2);
    await booksMatchTruth(w);
    fx.sim.sendUnknownRowUpdate('XBTUSD');
    await waitFor(() => subscribeTimes().length === 3, 5000, 'the second resync');
    const times = subscribeTimes();
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(450);
    await booksMatchTruth(w);
    expect(errors).toHaveLength(2);
    expect(w.problems).toEqual([]);
  });

  it('drops deltas that arrive before their partial and builds the right book', async () => {
    const c = client();
    const errors = collectErrors(c);
    await c.connect();
    fx.sim.deltasBeforePartial(2);
    const w = watchBooks(c);
    await booksMatchTruth(w);
    expect(errors).toEqual([]);
    expect(requestsOf(latestConnId())).toHaveLength(1);
  });

  it('skips a garbage frame and keeps the book right', async () => {
    const c = client();
    const errors = collectErrors(c);
    const w = watchBooks(c, ['XBTUSD']);
    await booksMatchTruth(w);
    fx.sim.sendRaw('\u0000garbage{');
    await waitFor(() => errors.length === 1);
    await booksMatchTruth(w);
    expect(w.problems).toEqual([]);
  });
});

describe('without reconnect', () => {
  it('errors every stream with a BitmexConnectionError carrying the close code and reason', async () => {
    const c = client({ reconnect: false });
    const w = watchBooks(c);
    await booksMatchTruth(w);
    fx.sim.dropAll({ code: 4001, reason: 'maintenance' });
    await waitFor(() => w.problems.length === 2);
    for (const p of w.problems) {
      expect(p).toBeInstanceOf(BitmexConnectionError);
      expect((p as BitmexConnectionError).code).toBe(4001);
      expect((p as BitmexConnectionError).reason).toBe('maintenance');
    }
    await settle(200);
    expect(fx.sim.connections()).toHaveLength(0);
  });

  it('errors the stream, not completes it, when the socket cannot even be made', async () => {
    // A browser's WebSocket throws at once for a ws:// URL on an https page (SecurityError):
    // the client failed while the stream was still subscribing its topics.
    const Refused = function (): never {
      throw new Error('insecure WebSocket connection refused');
    } as unknown as NonNullable<BitmexWebSocketOptions['WebSocketCtor']>;
    const c = new BitmexWebSocket({ endpoint: 'ws://127.0.0.1:9/realtime', reconnect: false, WebSocketCtor: Refused });
    const ends: unknown[] = [];
    c.table$('trade', 'XBTUSD').subscribe({ error: (e) => ends.push(e), complete: () => ends.push('complete') });
    await waitFor(() => ends.length > 0);
    expect(ends).toHaveLength(1);
    expect(ends[0]).toBeInstanceOf(BitmexConnectionError);
    expect((ends[0] as BitmexConnectionError).reason).toBe('insecure WebSocket connection refused');
    await c.close();
  });
});

describe('authenticated sessions', () => {
  it('re-authenticates before resubscribing, and runs the dead man\'s switch', async () => {
    const c = client({ apiKey: KEY, apiSecret: SECRET, deadMansSwitch: { timeoutMs: 60000, intervalMs: 100 } });
    const positions: unknown[] = [];
    fx.keep(c.table$('position').subscribe({ next: (r) => positions.push(r), error: (e) => positions.push(e) }));
    fx.keep(c.table$('instrument', 'XBTUSD').subscribe());
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.length === 2);
    const first = latestConnId();
    expect(requestsOf(first)[0]?.op).toBe('authKeyExpires');
    await waitFor(() => requestsOf(first).filter((r) => r.op === 'cancelAllAfter').length >= 3, 3000, 'periodic cancelAllAfter');
    expect(fx.sim.deadMansSwitch(KEY)?.timeoutMs).toBe(60000);
    await waitFor(() => c.cancelTime);
    expect(c.cancelTime!.getTime()).toBeGreaterThan(Date.now() + 50_000);

    fx.sim.dropAll({ abrupt: true });
    await waitFor(() => fx.sim.connections().some((k) => k.id !== first && k.subscriptions.length === 2), 5000, 'resubscribed');
    const again = requestsOf(latestConnId());
    expect(again[0]?.op).toBe('authKeyExpires');
    expect(again.slice(1, 3).map((r) => r.op).sort()).toEqual(['cancelAllAfter', 'subscribe']);
    expect(again.find((r) => r.op === 'subscribe')?.args).toEqual(['position', 'instrument:XBTUSD']);
    expect(positions.every((p) => !(p instanceof Error))).toBe(true);

    const lastConn = latestConnId();
    await c.close();
    const last = requestsOf(lastConn).pop();
    expect(last).toEqual({ op: 'cancelAllAfter', args: 0 });
    expect(fx.sim.deadMansSwitch(KEY)).toBeUndefined();
  });

  it('refuses a dead man\'s switch without keys or below 5 s', () => {
    expect(() => new BitmexWebSocket({ endpoint: fx.url, deadMansSwitch: 60000 })).toThrow(TypeError);
    expect(() => new BitmexWebSocket({ endpoint: fx.url, apiKey: KEY, apiSecret: SECRET, deadMansSwitch: 1000 })).toThrow(TypeError);
  });
});

describe('platform topics', () => {
  it('go to /realtimePlatform on a second, lazily opened connection', async () => {
    const c = client();
    fx.keep(c.table$('instrument', 'XBTUSD').subscribe());
    await waitFor(() => fx.sim.connections().length === 1 && fx.sim.connections()[0]?.subscriptions.length === 1);
    expect(fx.sim.connections()[0]?.path).toBe('/realtime');
    const rows: unknown[] = [];
    fx.keep(c.table$('announcement').subscribe({ next: (r) => rows.push(r), error: (e) => rows.push(e) }));
    await waitFor(() => fx.sim.connections().some((k) => k.path === '/realtimePlatform' && k.subscriptions.includes('announcement')));
    const main = fx.sim.connections().find((k) => k.path === '/realtime');
    expect(main?.subscriptions).toEqual(['instrument:XBTUSD']);
    expect(rows.every((r) => !(r instanceof Error))).toBe(true);
  });
});

describe('no leaks', () => {
  it('lets the process exit on its own after close()', async () => {
    const script = join(__dirname, '..', 'support', 'fixtures', 'exit-after-close.ts');
    const started = Date.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += String(d)));
      child.stderr.on('data', (d) => (out += String(d)));
      const killer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`process did not exit by itself within 15 s:\n${out}`));
      }, 15000);
      child.on('exit', (c) => {
        clearTimeout(killer);
        if (c !== 0) reject(new Error(`exit ${c}:\n${out}`));
        resolve(c);
      });
    });
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(15000);
  });
});

/**
 * BitmexSimulator: a local look-alike of the BitMEX realtime server (HTTP + WebSocket on
 * 127.0.0.1), following the protocol reference frame for frame, with a seeded market, real
 * authentication, fault injection and observability for tests. Node only.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { splitTopic, type Request, type Row } from '../protocol/frames';
import { checkAuth } from './auth';
import type { BookTable } from '../protocol/tables';
import { Accounts } from './account';
import { Faults, earlyDeltaFrames } from './faults';
import { Market, resolveInstruments, type MarketFrame, type SimulatorBook, type SimulatorInstrument } from './market';
import { ERRORS, authRequiredMeta, errorFrame, isoTime, subscriptionFrame, welcomeFrame } from './protocol';
import { SeededRandom } from './random';
import { schemaOf, type TableSchema } from './tables';

/** Options of {@link BitmexSimulator}. */
export interface BitmexSimulatorOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Seed of the market sequence: the same seed and options replay the same events. Default 1. */
  seed?: number;
  /** Instruments, by name (XBTUSD, ETHUSD, SOLUSD have realistic defaults) or full spec. Default all three. */
  symbols?: readonly (string | SimulatorInstrument)[];
  /** API keys accepted for authentication, key → secret; each key gets its own account. */
  apiKeys?: Readonly<Record<string, string>>;
  /** Run the market on a timer, one tick every `tickMs` ms; 0 (default) = only {@link BitmexSimulator.step}. */
  tickMs?: number;
  /** Market events per timer tick. Default 1. */
  eventsPerTick?: number;
  /** Share of events that are private (order/fill/cancel) when accounts exist. Default 0.1. */
  privateEventRate?: number;
  /** Clock for timestamps and `expires` checks, ms since the epoch. Default `Date.now`. */
  clock?: () => number;
  /**
   * Shifts the simulator's clock by this many ms (positive = server ahead of the client), to test
   * clock skew: welcome `timestamp`, row timestamps, `expires` checks and `cancelAllAfter` times
   * all follow it. Default 0; {@link BitmexSimulator.setClockOffset} changes it while running.
   */
  clockOffsetMs?: number;
  /**
   * Network delay to simulate, ms each way: every frame the server sends leaves `delayMs` late,
   * and every frame it receives is handled `delayMs` after arrival (so a ping's round trip takes
   * twice that). Order is kept. Default 0; {@link BitmexSimulator.setDelay} changes it.
   */
  delayMs?: number;
  /** Hourly connection budget shown in the welcome's `limit.remaining`. Default 720. */
  connectionBudget?: number;
  /** At most this many entries are kept in {@link BitmexSimulator.received} (oldest dropped). Default 100000. */
  receivedLogLimit?: number;
}

/** Where a started simulator listens. */
export interface SimulatorAddress {
  readonly port: number;
  /** `ws://127.0.0.1:PORT/realtime`. */
  readonly url: string;
  /** `ws://127.0.0.1:PORT/realtimePlatform`. */
  readonly platformUrl: string;
  /** `http://127.0.0.1:PORT`. */
  readonly httpUrl: string;
}

/** The two WebSocket endpoints. */
export type SimulatorPath = '/realtime' | '/realtimePlatform';

/** One text frame a client sent. */
export interface ReceivedFrame {
  readonly connId: number;
  readonly path: SimulatorPath;
  readonly text: string;
  /** Receive time, ms since the epoch (wall clock). */
  readonly at: number;
}

/** A connected client as the server sees it. */
export interface SimulatorConnection {
  readonly id: number;
  readonly path: SimulatorPath;
  readonly authenticated: boolean;
  /** API key the connection authenticated with. */
  readonly apiKey?: string;
  /** Account number of that key. */
  readonly account?: number;
  /** Topics as subscribed (`table`, `table:SYMBOL`, `table:*`), in subscription order. */
  readonly subscriptions: string[];
}

/** An armed dead man's switch. */
export interface DeadMansSwitch {
  readonly timeoutMs: number;
  /** When the account's open orders will be cancelled, ms since the epoch. */
  readonly cancelTime: number;
  /** When it was (re)armed, ms since the epoch. */
  readonly armedAt: number;
}

/** One `cancelAllAfter` received. */
export interface CancelAllAfterRecord {
  readonly connId: number;
  /** API key of the connection; undefined when it was not authenticated. */
  readonly apiKey: string | undefined;
  /** The timeout asked for; NaN when the args were not a number. */
  readonly timeoutMs: number;
  /** Whether it was answered with `{now, cancelTime}` (authenticated, valid timeout) rather than an error. */
  readonly accepted: boolean;
  /** Receive time, ms since the epoch (the simulator's clock). */
  readonly at: number;
}

/** A connection that closed, as the server saw it. */
export interface ClosedConnection {
  readonly connId: number;
  readonly path: SimulatorPath;
  /** Close code received (1006 when the socket died without a close frame). */
  readonly code: number;
  readonly reason: string;
  /** Close time, ms since the epoch (wall clock). */
  readonly at: number;
}

/** Counters since start. */
export interface SimulatorStats {
  readonly handshakes: { readonly accepted: number; readonly refused: number };
  readonly framesSent: number;
  readonly framesReceived: number;
  /** Market events run. */
  readonly steps: number;
}

/** What happened inside the simulator; see {@link BitmexSimulator.on}. */
export type SimulatorEvent =
  | { readonly type: 'connection'; readonly connection: SimulatorConnection }
  | { readonly type: 'close'; readonly connId: number; readonly code: number; readonly reason: string }
  | { readonly type: 'received'; readonly frame: ReceivedFrame }
  /** One market event ran (by {@link BitmexSimulator.step} or the timer); `frames` are what it produced. */
  | { readonly type: 'step'; readonly frames: readonly MarketFrame[] }
  | { readonly type: 'handshakeRefused'; readonly path: string; readonly status: number }
  | { readonly type: 'deadMansSwitch'; readonly apiKey: string; readonly canceledOrders: number };

/** Options of {@link BitmexSimulator.dropAll}. */
export interface DropOptions {
  /** Destroy the sockets without a close frame (the client sees 1006). Default false. */
  abrupt?: boolean;
  /** Close code of a clean drop. Default 1000. */
  code?: number;
  /** Close reason of a clean drop. Default empty. */
  reason?: string;
}

interface Conn {
  readonly id: number;
  readonly ws: WebSocket;
  readonly path: SimulatorPath;
  apiKey: string | undefined;
  account: number | undefined;
  readonly subs: Set<string>;
}

const PATHS: ReadonlySet<string> = new Set(['/realtime', '/realtimePlatform']);

/** A clock offset must be a finite number of ms (a day at most: beyond that it is a unit bug). */
function checkedOffset(ms: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || Math.abs(ms) > 86_400_000) {
    throw new TypeError(`clockOffsetMs must be a finite number of ms within ±1 day, got ${String(ms)}`);
  }
  return ms;
}

/** A delay must be a finite number of ms from 0 to a minute. */
function checkedDelay(ms: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 60_000) {
    throw new TypeError(`delayMs must be a finite number of ms from 0 to 60000, got ${String(ms)}`);
  }
  return ms;
}

/**
 * A local BitMEX realtime server look-alike for tests and offline demos.
 *
 * ```ts
 * const sim = new BitmexSimulator({ seed: 7, apiKeys: { key: 'secret' } });
 * const { url } = await sim.start();
 * // ... connect a client to url, subscribe ...
 * sim.step(100);                                  // 100 market events, sent at once
 * expect(clientBook).toEqual(sim.truth('XBTUSD')); // compare with the true book
 * await sim.stop();
 * ```
 */
export class BitmexSimulator {
  /** Every text frame clients sent, oldest first (capped by `receivedLogLimit`). */
  readonly received: ReceivedFrame[] = [];
  /** Every `cancelAllAfter` received (accepted or not), oldest first. */
  readonly cancelAllAfterLog: CancelAllAfterRecord[] = [];
  /** Every connection that closed, oldest first. */
  readonly closes: ClosedConnection[] = [];

  private readonly options: BitmexSimulatorOptions;
  private readonly clock: () => number;
  private clockOffset: number;
  private delay: number;
  /** Frames in flight under `delayMs`, cleared by {@link stop}. */
  private readonly delayed = new Set<ReturnType<typeof setTimeout>>();
  private readonly rng: SeededRandom;
  private readonly market: Market;
  private readonly accounts: Accounts;
  private readonly faults = new Faults();
  private readonly conns = new Map<number, Conn>();
  private readonly listeners = new Set<(e: SimulatorEvent) => void>();
  private readonly switches = new Map<string, DeadMansSwitch & { timer: ReturnType<typeof setTimeout> }>();
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private addr: SimulatorAddress | undefined;
  private nextConnId = 1;
  private budget: number;
  private counters = { accepted: 0, refused: 0, framesSent: 0, framesReceived: 0, steps: 0 };

  /** Builds the market (seeded) and accounts; nothing listens until {@link start}. */
  constructor(options: BitmexSimulatorOptions = {}) {
    this.options = options;
    this.clockOffset = checkedOffset(options.clockOffsetMs ?? 0);
    this.delay = checkedDelay(options.delayMs ?? 0);
    const base = options.clock ?? Date.now;
    this.clock = () => base() + this.clockOffset;
    const seed = options.seed ?? 1;
    this.rng = new SeededRandom(seed);
    this.market = new Market(resolveInstruments(options.symbols ?? ['XBTUSD', 'ETHUSD', 'SOLUSD']), this.rng, this.clock, seed);
    this.accounts = new Accounts(options.apiKeys ?? {}, this.market, this.rng, this.clock);
    this.budget = options.connectionBudget ?? 720;
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  /** Listens on 127.0.0.1 (port from the options, or a free one) and starts the market timer if `tickMs`. */
  async start(): Promise<SimulatorAddress> {
    if (this.server) throw new Error('BitmexSimulator already started');
    const server = createServer((req, res) => this.onHttp(req, res));
    this.server = server;
    this.wss = new WebSocketServer({ noServer: true, autoPong: false, maxPayload: 1 << 20, perMessageDeflate: false });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.options.port ?? 0, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      // e.g. EADDRINUSE: leave the simulator startable again
      this.server = undefined;
      this.wss = undefined;
      throw e;
    }
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    this.addr = {
      port,
      url: `ws://127.0.0.1:${port}/realtime`,
      platformUrl: `ws://127.0.0.1:${port}/realtimePlatform`,
      httpUrl: `http://127.0.0.1:${port}`,
    };
    const tickMs = this.options.tickMs ?? 0;
    if (tickMs > 0) this.startTimer(tickMs);
    return this.addr;
  }

  /** Runs the market on a timer: `eventsPerTick` events every `tickMs` ms (replaces a running timer). */
  startTimer(tickMs = this.options.tickMs || 100): void {
    this.stopTimer();
    this.timer = setInterval(() => this.step(this.options.eventsPerTick ?? 1), tickMs);
  }

  /** Stops the market timer; {@link step} still works. */
  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Where it listens (after {@link start}). */
  get address(): SimulatorAddress | undefined {
    return this.addr;
  }

  /** Closes every socket, timer and the server, so the process can exit. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopTimer();
    for (const s of this.switches.values()) clearTimeout(s.timer);
    this.switches.clear();
    for (const t of this.delayed) clearTimeout(t);
    this.delayed.clear();
    for (const c of this.conns.values()) c.ws.terminate();
    const server = this.server;
    const wss = this.wss;
    this.server = undefined;
    this.wss = undefined;
    if (wss) await new Promise<void>((resolve) => wss.close(() => resolve()));
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    }
  }

  // ---- market ------------------------------------------------------------------------------------

  /**
   * Runs `n` market events; each one's frames are sent at once, in order, to the subscribers of the
   * topics it touched. Returns every frame produced (also those nobody was subscribed to).
   */
  step(n = 1): MarketFrame[] {
    const all: MarketFrame[] = [];
    const privateRate = this.options.privateEventRate ?? 0.1;
    for (let i = 0; i < n; i++) {
      const frames = this.accounts.size > 0 && this.rng.chance(privateRate) ? this.accounts.privateEvent() : this.market.publicEvent();
      this.counters.steps++;
      this.broadcast(frames);
      all.push(...frames);
      if (this.listeners.size > 0) this.emit({ type: 'step', frames });
    }
    return all;
  }

  /** The true book of a symbol (full, top 25 or top 10): levels `{price, size, id}`, bids high→low, asks low→high. */
  truth(symbol: string, table: BookTable = 'orderBookL2'): SimulatorBook {
    return this.market.truth(symbol, table);
  }

  /**
   * The rows a fresh partial of `table` would hold now (`symbol` filters; private tables need the
   * `apiKey` of the account). `execution` is a stream and its image is always empty.
   */
  truthRows(table: string, symbol?: string, apiKey?: string): Row[] {
    const schema = schemaOf(table);
    if (!schema) throw new RangeError(`unknown table ${table}`);
    if (!schema.private) return this.market.image(table, symbol);
    const account = apiKey === undefined ? undefined : this.accounts.accountOf(apiKey);
    if (account === undefined) throw new RangeError(`private table ${table} needs a configured apiKey`);
    return this.accounts.image(table, account, symbol);
  }

  /** Account number of a configured API key. */
  accountOf(apiKey: string): number | undefined {
    return this.accounts.accountOf(apiKey);
  }

  // ---- observability -----------------------------------------------------------------------------

  /** The connected clients. */
  connections(): SimulatorConnection[] {
    return [...this.conns.values()].map((c) => this.info(c));
  }

  /** The JSON requests clients sent (`{op, args}`), optionally of one connection; `ping` and undecodable text left out. */
  requests(connId?: number): Request[] {
    const out: Request[] = [];
    for (const r of this.received) {
      if (connId !== undefined && r.connId !== connId) continue;
      try {
        const v: unknown = JSON.parse(r.text);
        if (typeof v === 'object' && v !== null && typeof (v as Request).op === 'string') out.push(v as Request);
      } catch {
        // not JSON: not a request
      }
    }
    return out;
  }

  /** Counters since start: handshakes accepted/refused, frames sent/received, market events. */
  stats(): SimulatorStats {
    const c = this.counters;
    return { handshakes: { accepted: c.accepted, refused: c.refused }, framesSent: c.framesSent, framesReceived: c.framesReceived, steps: c.steps };
  }

  /** The armed dead man's switch of an API key's account, or undefined when disarmed (or fired). */
  deadMansSwitch(apiKey: string): DeadMansSwitch | undefined {
    const s = this.switches.get(apiKey);
    return s && { timeoutMs: s.timeoutMs, cancelTime: s.cancelTime, armedAt: s.armedAt };
  }

  /** Calls `listener` on every {@link SimulatorEvent}; returns the function that removes it. */
  on(listener: (event: SimulatorEvent) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /**
   * Resolves once `predicate()` is true, checking now and after every {@link SimulatorEvent};
   * rejects after `timeoutMs` (default 5000) or if the predicate throws.
   */
  waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      let off = (): void => undefined;
      const timer = setTimeout(() => {
        off();
        reject(new Error(`waitFor: condition not met within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (): void => {
        let ok: boolean;
        try {
          ok = predicate();
        } catch (e) {
          off();
          clearTimeout(timer);
          reject(e);
          return;
        }
        if (ok) {
          off();
          clearTimeout(timer);
          resolve();
        }
      };
      off = this.on(check);
      check();
    });
  }

  // ---- faults ------------------------------------------------------------------------------------

  /** Shifts the simulator's clock by `ms` from now on (see `clockOffsetMs`). */
  setClockOffset(ms: number): void {
    this.clockOffset = checkedOffset(ms);
  }

  /** Sets the simulated network delay, ms each way, for frames sent and received from now on (see `delayMs`). */
  setDelay(ms: number): void {
    this.delay = checkedDelay(ms);
  }

  /** Runs `fn` after the simulated network delay (at once when there is none); timers run in order. */
  private later(fn: () => void): void {
    if (this.delay === 0) return fn();
    const t = setTimeout(() => {
      this.delayed.delete(t);
      fn();
    }, this.delay);
    this.delayed.add(t);
  }

  /** The simulator's current time, ms since the epoch (its clock plus the offset). */
  now(): number {
    return this.clock();
  }

  /** Drops every connection: a clean close frame (code, reason), or with `abrupt` a destroyed socket. Returns how many. */
  dropAll(options: DropOptions = {}): number {
    let n = 0;
    for (const c of this.conns.values()) if (this.dropConn(c, options)) n++;
    return n;
  }

  /** Drops one connection like {@link dropAll}. Returns false if there is no such open connection. */
  drop(connId: number, options: DropOptions = {}): boolean {
    const c = this.conns.get(connId);
    return c !== undefined && this.dropConn(c, options);
  }

  /**
   * While on, the server accepts connections and requests but sends nothing: no welcome, no reply,
   * no `pong` (text or control frame), no market data. Requests are logged but not acted on.
   */
  silence(on: boolean): void {
    this.faults.silent = on;
  }

  /** Sends a text frame as is, to one connection or to all; ignores silence. Returns how many got it. */
  sendRaw(text: string, connId?: number): number {
    let n = 0;
    for (const c of this.conns.values()) {
      if (connId !== undefined && c.id !== connId) continue;
      if (this.write(c, text, true)) n++;
    }
    return n;
  }

  /** Refuses the next `count` handshakes with HTTP 429, `Retry-After` and the JSON body of the real server. */
  refuseHandshakes(count: number, retryAfterSeconds = 1): void {
    this.faults.refuseHandshakes(count, retryAfterSeconds);
  }

  /** Answers the next `count` subscribe topics with the 429 error frame (`meta.retryAfter`). */
  rateLimitSubscribes(count: number, retryAfterSeconds = 1): void {
    this.faults.rateLimitSubscribes(count, retryAfterSeconds);
  }

  /** Answers the next `count` subscribe topics with the 503 "Max Pending subscription limit reached" error. */
  rejectPendingSubscribes(count: number): void {
    this.faults.rejectPendingSubscribes(count);
  }

  /** The next `count` subscriptions first get a few deltas (restating current rows), then the success and partial. */
  deltasBeforePartial(count = 1): void {
    this.faults.deltasBeforePartial(count);
  }

  /**
   * Sends the subscribers of `table` for `symbol` an update of a level id the book never had.
   * Returns how many connections got it.
   */
  sendUnknownRowUpdate(symbol: string, table: 'orderBookL2' | 'orderBookL2_25' = 'orderBookL2'): number {
    return this.broadcast([this.market.unknownRowUpdate(symbol, table)]);
  }

  // ---- transport ---------------------------------------------------------------------------------

  private onHttp(req: IncomingMessage, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/' && this.addr) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ name: 'BitMEX realtime simulator', realtime: this.addr.url, realtimePlatform: this.addr.platformUrl }));
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'Not Found', name: 'HTTPError' } }));
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => undefined); // a client vanishing mid-handshake is not our failure
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const wss = this.wss;
    if (!PATHS.has(url.pathname) || !wss) {
      this.refuse(socket, url.pathname, 404, {}, JSON.stringify({ error: { message: 'Not Found', name: 'HTTPError' } }));
      return;
    }
    const retryAfter = this.faults.takeHandshakeRefusal();
    if (retryAfter !== undefined) {
      this.refuse(socket, url.pathname, 429, { 'Retry-After': String(retryAfter) }, JSON.stringify({ error: ERRORS.rateLimited(retryAfter) }));
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req, url));
  }

  private refuse(socket: Duplex, path: string, status: number, headers: Record<string, string>, body: string): void {
    this.counters.refused++;
    const reason = status === 429 ? 'Too Many Requests' : 'Not Found';
    const lines = [`HTTP/1.1 ${status} ${reason}`, 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'];
    for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
    socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
    this.emit({ type: 'handshakeRefused', path, status });
  }

  private onConnection(ws: WebSocket, req: IncomingMessage, url: URL): void {
    const path = url.pathname as SimulatorPath;
    const conn: Conn = { id: this.nextConnId++, ws, path, apiKey: undefined, account: undefined, subs: new Set() };
    this.conns.set(conn.id, conn);
    this.counters.accepted++;
    this.budget = Math.max(0, this.budget - 1);
    ws.on('message', (data: RawData) => this.later(() => this.onMessage(conn, data)));
    ws.on('ping', (data: Buffer) => {
      if (!this.faults.silent && ws.readyState === WebSocket.OPEN) ws.pong(data);
    });
    ws.on('error', () => undefined); // the close event follows
    ws.on('close', (code: number, reason: Buffer) => {
      this.conns.delete(conn.id);
      this.closes.push({ connId: conn.id, path, code, reason: reason.toString(), at: Date.now() });
      this.emit({ type: 'close', connId: conn.id, code, reason: reason.toString() });
    });

    if (!this.faults.silent) {
      this.write(conn, welcomeFrame(this.clock(), this.budget));
      // Header auth, else query-string auth; a failure is reported but the socket stays open.
      const h = (name: string) => {
        const v = req.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      const key = h('api-key') ?? url.searchParams.get('api-key') ?? undefined;
      const expires = h('api-expires') ?? url.searchParams.get('api-expires') ?? undefined;
      const signature = h('api-signature') ?? url.searchParams.get('api-signature') ?? undefined;
      if (key !== undefined || expires !== undefined || signature !== undefined) {
        const failure = this.authenticate(conn, key, expires, signature);
        if (failure) this.write(conn, errorFrame(failure.status, failure.error));
      }
      const topics = url.searchParams.get('subscribe');
      if (topics) {
        const args = topics.split(',').filter((t) => t.length > 0);
        this.subscribe(conn, { op: 'subscribe', args }, args);
      }
    }
    this.emit({ type: 'connection', connection: this.info(conn) });
  }

  private onMessage(conn: Conn, data: RawData): void {
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as Buffer).toString('utf8');
    const frame: ReceivedFrame = { connId: conn.id, path: conn.path, text, at: Date.now() };
    this.received.push(frame);
    const limit = this.options.receivedLogLimit ?? 100000;
    if (this.received.length > limit) this.received.splice(0, this.received.length - limit);
    this.counters.framesReceived++;
    try {
      if (!this.faults.silent) this.handle(conn, text);
    } catch {
      // Never crash on client input; the real server would answer 400, so do that.
      this.write(conn, errorFrame(400, ERRORS.unrecognized));
    }
    this.emit({ type: 'received', frame });
  }

  private handle(conn: Conn, text: string): void {
    if (text === 'ping') {
      this.write(conn, 'pong');
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      this.write(conn, errorFrame(400, ERRORS.decode((e as Error).message)));
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as Request).op !== 'string') {
      const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
      this.write(conn, errorFrame(400, ERRORS.unrecognized, isObject ? value : undefined));
      return;
    }
    const request = value as Request;
    switch (request.op) {
      case 'subscribe':
      case 'unsubscribe': {
        const topics = typeof request.args === 'string' ? [request.args] : request.args;
        if (!Array.isArray(topics) || !topics.every((t): t is string => typeof t === 'string')) {
          this.write(conn, errorFrame(400, ERRORS.unrecognized, request));
          return;
        }
        if (request.op === 'subscribe') this.subscribe(conn, request, topics);
        else this.unsubscribe(conn, request, topics);
        return;
      }
      case 'authKeyExpires': {
        const args = request.args;
        if (!Array.isArray(args) || args.length !== 3) {
          this.write(conn, errorFrame(400, ERRORS.badAuthArgs, request));
          return;
        }
        const [key, expires, signature] = args as unknown[];
        const failure = this.authenticate(conn, key, expires, signature);
        this.write(conn, failure ? errorFrame(failure.status, failure.error, request) : JSON.stringify({ success: true, request }));
        return;
      }
      case 'cancelAllAfter':
        this.cancelAllAfter(conn, request);
        return;
      default:
        this.write(conn, errorFrame(400, ERRORS.unrecognized, request));
    }
  }

  // ---- requests ----------------------------------------------------------------------------------

  /** Verifies `GET/realtime` + expires (see ./auth); on success marks the connection authenticated. */
  private authenticate(conn: Conn, key: unknown, expires: unknown, signature: unknown): { status: number; error: string } | undefined {
    if (conn.apiKey !== undefined) return { status: 400, error: ERRORS.alreadyAuthenticated };
    const failure = checkAuth(key, expires, signature, (k) => this.accounts.secretOf(k), this.clock());
    if (failure !== undefined || typeof key !== 'string') return failure;
    conn.apiKey = key;
    conn.account = this.accounts.accountOf(key);
    return undefined;
  }

  private subscribe(conn: Conn, request: Request, topics: readonly string[]): void {
    for (const topic of topics) {
      const retryAfter = this.faults.takeRateLimit();
      if (retryAfter !== undefined) {
        this.write(conn, errorFrame(429, ERRORS.rateLimited(retryAfter), request, { retryAfter }));
        continue;
      }
      if (this.faults.takePendingRejection()) {
        this.write(conn, errorFrame(503, ERRORS.pendingLimit, request));
        continue;
      }
      const { table, symbol } = splitTopic(topic);
      const schema = schemaOf(table);
      if (!schema || symbol === '') {
        this.write(conn, errorFrame(400, ERRORS.unknownTable(schema ? topic : table), request));
        continue;
      }
      if (schema.platform !== (conn.path === '/realtimePlatform')) {
        this.write(conn, errorFrame(400, schema.platform ? ERRORS.platformOnly(table) : ERRORS.tradingOnly(table), request));
        continue;
      }
      if (symbol !== undefined && !schema.symbolFilter) {
        this.write(conn, errorFrame(400, ERRORS.noSymbolFilter(table), request));
        continue;
      }
      if (symbol !== undefined && symbol !== '*' && !this.market.has(symbol)) {
        this.write(conn, errorFrame(400, ERRORS.unknownSymbol(symbol), request));
        continue;
      }
      if (schema.private && conn.account === undefined) {
        this.write(conn, errorFrame(401, ERRORS.authRequired, request, authRequiredMeta()));
        continue;
      }
      if (conn.subs.has(topic)) {
        this.write(conn, errorFrame(400, ERRORS.alreadySubscribed(topic), request));
        continue;
      }
      const image = this.image(conn, table, schema, symbol);
      if (this.faults.takeEarlyDeltas()) for (const text of earlyDeltaFrames(table, schema, image)) this.write(conn, text);
      conn.subs.add(topic);
      this.write(conn, subscriptionFrame('subscribe', topic, request));
      this.write(conn, this.partial(conn, table, schema, symbol, image));
    }
  }

  private unsubscribe(conn: Conn, request: Request, topics: readonly string[]): void {
    for (const topic of topics) {
      if (conn.subs.delete(topic)) this.write(conn, subscriptionFrame('unsubscribe', topic, request));
      else this.write(conn, errorFrame(400, ERRORS.notSubscribed(topic), request));
    }
  }

  private cancelAllAfter(conn: Conn, request: Request): void {
    const arg = Array.isArray(request.args) ? (request.args as unknown[])[0] : request.args;
    const timeoutMs = typeof arg === 'number' ? arg : typeof arg === 'string' && arg.trim() !== '' ? Number(arg) : NaN;
    const apiKey = conn.apiKey;
    const account = conn.account;
    const now = this.clock();
    const authenticated = apiKey !== undefined && account !== undefined;
    const valid = Number.isFinite(timeoutMs) && timeoutMs >= 0;
    this.cancelAllAfterLog.push({ connId: conn.id, apiKey, timeoutMs, accepted: authenticated && valid, at: now });
    if (!authenticated) {
      this.write(conn, errorFrame(401, ERRORS.cancelAllAfterNeedsAuth, request));
      return;
    }
    if (!valid) {
      this.write(conn, errorFrame(400, ERRORS.badTimeout, request));
      return;
    }
    const previous = this.switches.get(apiKey);
    if (previous) clearTimeout(previous.timer);
    this.switches.delete(apiKey);
    if (timeoutMs === 0) {
      // Disarmed: there is no cancel time to report.
      this.write(conn, JSON.stringify({ now: isoTime(now), request }));
      return;
    }
    const cancelTime = now + timeoutMs;
    const timer = setTimeout(() => this.fireSwitch(apiKey, account), timeoutMs);
    this.switches.set(apiKey, { timeoutMs, cancelTime, armedAt: now, timer });
    this.write(conn, JSON.stringify({ now: isoTime(now), cancelTime: isoTime(cancelTime), request }));
  }

  private fireSwitch(apiKey: string, account: number): void {
    this.switches.delete(apiKey);
    const frames = this.accounts.cancelAll(account, 'Canceled: Cancel from cancelAllAfter');
    this.broadcast(frames);
    this.emit({ type: 'deadMansSwitch', apiKey, canceledOrders: frames.filter((f) => f.table === 'order').length });
  }

  // ---- frames ------------------------------------------------------------------------------------

  private image(conn: Conn, table: string, schema: TableSchema, symbol: string | undefined): Row[] {
    if (schema.private) return conn.account === undefined ? [] : this.accounts.image(table, conn.account, symbol);
    return this.market.image(table, symbol);
  }

  private partial(conn: Conn, table: string, schema: TableSchema, symbol: string | undefined, data: Row[]): string {
    const filter: Record<string, unknown> = {};
    if (schema.private) filter.account = conn.account;
    if (symbol !== undefined && symbol !== '*') filter.symbol = symbol;
    const frame: Record<string, unknown> = { table, action: 'partial', keys: schema.keys, types: schema.types };
    if (schema.foreignKeys) frame.foreignKeys = schema.foreignKeys;
    if (schema.attributes) frame.attributes = schema.attributes;
    frame.filter = filter;
    if (table === 'chat') frame.filterKey = 'channelID';
    frame.data = data;
    return JSON.stringify(frame);
  }

  /** Sends each frame to the connections subscribed to its topic (and owning its account). Returns recipients of the last. */
  private broadcast(frames: readonly MarketFrame[]): number {
    let n = 0;
    for (const f of frames) {
      n = 0;
      let text: string | undefined;
      for (const c of this.conns.values()) {
        if (f.account !== undefined && c.account !== f.account) continue;
        if (!(c.subs.has(f.table) || c.subs.has(`${f.table}:*`) || (f.symbol !== undefined && c.subs.has(`${f.table}:${f.symbol}`)))) continue;
        text ??= JSON.stringify({ table: f.table, action: f.action, data: f.data });
        if (this.write(c, text)) n++;
      }
    }
    return n;
  }

  private dropConn(c: Conn, options: DropOptions): boolean {
    if (c.ws.readyState !== WebSocket.OPEN) return false;
    if (options.abrupt) {
      c.ws.terminate();
      return true;
    }
    try {
      c.ws.close(options.code ?? 1000, options.reason ?? '');
    } catch {
      c.ws.close(); // an invalid code from the caller: close plainly rather than throw
    }
    return true;
  }

  private write(conn: Conn, text: string, ignoreSilence = false): boolean {
    if ((this.faults.silent && !ignoreSilence) || conn.ws.readyState !== WebSocket.OPEN) return false;
    this.counters.framesSent++;
    if (this.delay === 0) conn.ws.send(text);
    else this.later(() => conn.ws.readyState === WebSocket.OPEN && conn.ws.send(text));
    return true;
  }

  private info(c: Conn): SimulatorConnection {
    const info: { -readonly [K in keyof SimulatorConnection]: SimulatorConnection[K] } = {
      id: c.id, path: c.path, authenticated: c.apiKey !== undefined, subscriptions: [...c.subs],
    };
    if (c.apiKey !== undefined) info.apiKey = c.apiKey;
    if (c.account !== undefined) info.account = c.account;
    return info;
  }

  private emit(event: SimulatorEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // a test's listener failing must not take the server down
      }
    }
  }
}

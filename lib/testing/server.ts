/**
 * BitmexSimulator: a local look-alike of the BitMEX realtime server (HTTP + WebSocket on
 * 127.0.0.1), following the protocol reference frame for frame, with a seeded market, real
 * authentication, fault injection and observability for tests. Node only.
 *
 * This file is the public face (lifecycle, market, observability, faults); the work is done by
 * plain functions over the shared {@link SimulatorCore}: ./handshake, ./session, ./requests,
 * ./subscriptions, ./dead-mans-switch.
 * @module
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Request, Row } from '../protocol/frames';
import type { BookTable } from '../protocol/tables';
import { SimulatorCore, checkedDelay, checkedOffset } from './core';
import { onHttp, onUpgrade } from './handshake';
import type { MarketFrame } from './market-frames';
import type { SimulatorBook } from './order-book';
import { schemaOf } from './tables';
import type {
  BitmexSimulatorOptions, CancelAllAfterRecord, ClosedConnection, DeadMansSwitch, DropOptions, ReceivedFrame,
  SimulatorAddress, SimulatorConnection, SimulatorEvent, SimulatorStats,
} from './simulator-types';

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
  readonly received: ReceivedFrame[];
  /** Every `cancelAllAfter` received (accepted or not), oldest first. */
  readonly cancelAllAfterLog: CancelAllAfterRecord[];
  /** Every connection that closed, oldest first. */
  readonly closes: ClosedConnection[];

  private readonly core: SimulatorCore;
  private server: Server | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  /** Builds the market (seeded) and accounts; nothing listens until {@link start}. */
  constructor(options: BitmexSimulatorOptions = {}) {
    this.core = new SimulatorCore(options);
    this.received = this.core.received;
    this.cancelAllAfterLog = this.core.cancelAllAfterLog;
    this.closes = this.core.closes;
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  /** Listens on 127.0.0.1 (port from the options, or a free one) and starts the market timer if `tickMs`. */
  async start(): Promise<SimulatorAddress> {
    if (this.server) throw new Error('BitmexSimulator already started');
    const server = createServer((req, res) => onHttp(this.core, req, res));
    this.server = server;
    this.core.wss = new WebSocketServer({ noServer: true, autoPong: false, maxPayload: 1 << 20, perMessageDeflate: false });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => onUpgrade(this.core, req, socket, head));
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.core.options.port ?? 0, '127.0.0.1', () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      // e.g. EADDRINUSE: leave the simulator startable again
      this.server = undefined;
      this.core.wss = undefined;
      throw e;
    }
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    this.core.addr = {
      port,
      url: `ws://127.0.0.1:${port}/realtime`,
      platformUrl: `ws://127.0.0.1:${port}/realtimePlatform`,
      httpUrl: `http://127.0.0.1:${port}`,
    };
    const tickMs = this.core.options.tickMs ?? 0;
    if (tickMs > 0) this.startTimer(tickMs);
    return this.core.addr;
  }

  /** Runs the market on a timer: `eventsPerTick` events every `tickMs` ms (replaces a running timer). */
  startTimer(tickMs = this.core.options.tickMs || 100): void {
    this.stopTimer();
    this.timer = setInterval(() => this.step(this.core.options.eventsPerTick ?? 1), tickMs);
  }

  /** Stops the market timer; {@link step} still works. */
  stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Where it listens (after {@link start}). */
  get address(): SimulatorAddress | undefined {
    return this.core.addr;
  }

  /** Closes every socket, timer and the server, so the process can exit. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopTimer();
    for (const s of this.core.switches.values()) clearTimeout(s.timer);
    this.core.switches.clear();
    for (const t of this.core.delayed) clearTimeout(t);
    this.core.delayed.clear();
    for (const c of this.core.conns.values()) c.ws.terminate();
    const server = this.server;
    const wss = this.core.wss;
    this.server = undefined;
    this.core.wss = undefined;
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
    const privateRate = this.core.options.privateEventRate ?? 0.1;
    for (let i = 0; i < n; i++) {
      const frames = this.core.accounts.size > 0 && this.core.rng.chance(privateRate) ? this.core.accounts.privateEvent() : this.core.market.publicEvent();
      this.core.counters.steps++;
      this.core.broadcast(frames);
      all.push(...frames);
      if (this.core.listeners.size > 0) this.core.emit({ type: 'step', frames });
    }
    return all;
  }

  /** The true book of a symbol (full, top 25 or top 10): levels `{price, size, id}`, bids high→low, asks low→high. */
  truth(symbol: string, table: BookTable = 'orderBookL2'): SimulatorBook {
    return this.core.market.truth(symbol, table);
  }

  /**
   * The rows a fresh partial of `table` would hold now (`symbol` filters; private tables need the
   * `apiKey` of the account). `execution` is a stream and its image is always empty.
   */
  truthRows(table: string, symbol?: string, apiKey?: string): Row[] {
    const schema = schemaOf(table);
    if (!schema) throw new RangeError(`unknown table ${table}`);
    if (!schema.private) return this.core.market.image(table, symbol);
    const account = apiKey === undefined ? undefined : this.core.accounts.accountOf(apiKey);
    if (account === undefined) throw new RangeError(`private table ${table} needs a configured apiKey`);
    return this.core.accounts.image(table, account, symbol);
  }

  /** Account number of a configured API key. */
  accountOf(apiKey: string): number | undefined {
    return this.core.accounts.accountOf(apiKey);
  }

  // ---- observability -----------------------------------------------------------------------------

  /** The connected clients. */
  connections(): SimulatorConnection[] {
    return [...this.core.conns.values()].map((c) => this.core.info(c));
  }

  /** The JSON requests clients sent (`{op, args}`), optionally of one connection; `ping` and undecodable text left out. */
  requests(connId?: number): Request[] {
    const out: Request[] = [];
    for (const r of this.core.received) {
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
    const c = this.core.counters;
    return { handshakes: { accepted: c.accepted, refused: c.refused }, framesSent: c.framesSent, framesReceived: c.framesReceived, steps: c.steps };
  }

  /** The armed dead man's switch of an API key's account, or undefined when disarmed (or fired). */
  deadMansSwitch(apiKey: string): DeadMansSwitch | undefined {
    const s = this.core.switches.get(apiKey);
    return s && { timeoutMs: s.timeoutMs, cancelTime: s.cancelTime, armedAt: s.armedAt };
  }

  /** Calls `listener` on every {@link SimulatorEvent}; returns the function that removes it. */
  on(listener: (event: SimulatorEvent) => void): () => void {
    this.core.listeners.add(listener);
    return () => {
      this.core.listeners.delete(listener);
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
    this.core.clockOffset = checkedOffset(ms);
  }

  /** Sets the simulated network delay, ms each way, for frames sent and received from now on (see `delayMs`). */
  setDelay(ms: number): void {
    this.core.delay = checkedDelay(ms);
  }

  /** The simulator's current time, ms since the epoch (its clock plus the offset). */
  now(): number {
    return this.core.clock();
  }

  /** Drops every connection: a clean close frame (code, reason), or with `abrupt` a destroyed socket. Returns how many. */
  dropAll(options: DropOptions = {}): number {
    let n = 0;
    for (const c of this.core.conns.values()) if (this.core.dropConn(c, options)) n++;
    return n;
  }

  /** Drops one connection like {@link dropAll}. Returns false if there is no such open connection. */
  drop(connId: number, options: DropOptions = {}): boolean {
    const c = this.core.conns.get(connId);
    return c !== undefined && this.core.dropConn(c, options);
  }

  /**
   * While on, the server accepts connections and requests but sends nothing: no welcome, no reply,
   * no `pong` (text or control frame), no market data. Requests are logged but not acted on.
   */
  silence(on: boolean): void {
    this.core.faults.silent = on;
  }

  /** Sends a text frame as is, to one connection or to all; ignores silence. Returns how many got it. */
  sendRaw(text: string, connId?: number): number {
    let n = 0;
    for (const c of this.core.conns.values()) {
      if (connId !== undefined && c.id !== connId) continue;
      if (this.core.write(c, text, true)) n++;
    }
    return n;
  }

  /** Refuses the next `count` handshakes with HTTP 429, `Retry-After` and the JSON body of the real server. */
  refuseHandshakes(count: number, retryAfterSeconds = 1): void {
    this.core.faults.refuseHandshakes(count, retryAfterSeconds);
  }

  /** Answers the next `count` subscribe topics with the 429 error frame (`meta.retryAfter`). */
  rateLimitSubscribes(count: number, retryAfterSeconds = 1): void {
    this.core.faults.rateLimitSubscribes(count, retryAfterSeconds);
  }

  /** Answers the next `count` `cancelAllAfter` requests with the 429 error frame (`meta.retryAfter`); the switch is left as it was. */
  rateLimitCancelAllAfter(count: number, retryAfterSeconds = 1): void {
    this.core.faults.rateLimitCancelAllAfter(count, retryAfterSeconds);
  }

  /** Answers the next `count` subscribe topics with the 503 "Max Pending subscription limit reached" error. */
  rejectPendingSubscribes(count: number): void {
    this.core.faults.rejectPendingSubscribes(count);
  }

  /** The next `count` subscriptions first get a few deltas (restating current rows), then the success and partial. */
  deltasBeforePartial(count = 1): void {
    this.core.faults.deltasBeforePartial(count);
  }

  /**
   * Sends the subscribers of `table` for `symbol` an update of a level id the book never had.
   * Returns how many connections got it.
   */
  sendUnknownRowUpdate(symbol: string, table: 'orderBookL2' | 'orderBookL2_25' = 'orderBookL2'): number {
    return this.core.broadcast([this.core.market.unknownRowUpdate(symbol, table)]);
  }
}

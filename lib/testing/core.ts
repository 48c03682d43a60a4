/**
 * The state a running simulator shares between its parts (handshake, sessions, requests,
 * subscriptions, dead man's switch) and the primitives they all use to reach clients: write,
 * broadcast, the simulated network delay and the event listeners. The parts are plain functions
 * of this object, so each lives in its own file without reaching into a class's privates.
 * @module
 */
import type { WebSocketServer } from 'ws';
import { WebSocket } from 'ws';
import { Accounts } from './account';
import { Faults } from './faults';
import { Market } from './market';
import type { MarketFrame } from './market-frames';
import { resolveInstruments } from './instruments';
import { SeededRandom } from './random';
import type {
  BitmexSimulatorOptions, CancelAllAfterRecord, ClosedConnection, DeadMansSwitch, DropOptions, ReceivedFrame,
  SimulatorAddress, SimulatorConnection, SimulatorEvent, SimulatorPath,
} from './simulator-types';

/** A client connection as the server keeps it. */
export interface Conn {
  readonly id: number;
  readonly ws: WebSocket;
  readonly path: SimulatorPath;
  apiKey: string | undefined;
  account: number | undefined;
  readonly subs: Set<string>;
}

/** A clock offset must be a finite number of ms (a day at most: beyond that it is a unit bug). */
export function checkedOffset(ms: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || Math.abs(ms) > 86_400_000) {
    throw new TypeError(`clockOffsetMs must be a finite number of ms within ±1 day, got ${String(ms)}`);
  }
  return ms;
}

/** A delay must be a finite number of ms from 0 to a minute. */
export function checkedDelay(ms: number): number {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 60_000) {
    throw new TypeError(`delayMs must be a finite number of ms from 0 to 60000, got ${String(ms)}`);
  }
  return ms;
}

/** Everything the simulator's parts share; owned by one {@link BitmexSimulator}. */
export class SimulatorCore {
  /** Every text frame clients sent, oldest first (capped by `receivedLogLimit`). */
  readonly received: ReceivedFrame[] = [];
  /** Every `cancelAllAfter` received (accepted or not), oldest first. */
  readonly cancelAllAfterLog: CancelAllAfterRecord[] = [];
  /** Every connection that closed, oldest first. */
  readonly closes: ClosedConnection[] = [];

  readonly options: BitmexSimulatorOptions;
  readonly clock: () => number;
  clockOffset: number;
  delay: number;
  /** Frames in flight under `delayMs`, cleared by stop. */
  readonly delayed = new Set<ReturnType<typeof setTimeout>>();
  readonly rng: SeededRandom;
  readonly market: Market;
  readonly accounts: Accounts;
  readonly faults = new Faults();
  readonly conns = new Map<number, Conn>();
  readonly listeners = new Set<(e: SimulatorEvent) => void>();
  readonly switches = new Map<string, DeadMansSwitch & { timer: ReturnType<typeof setTimeout> }>();
  wss: WebSocketServer | undefined;
  addr: SimulatorAddress | undefined;
  nextConnId = 1;
  budget: number;
  counters = { accepted: 0, refused: 0, framesSent: 0, framesReceived: 0, steps: 0 };

  /** Builds the market (seeded) and accounts. */
  constructor(options: BitmexSimulatorOptions) {
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

  /** Runs `fn` after the simulated network delay (at once when there is none); timers run in order. */
  later(fn: () => void): void {
    if (this.delay === 0) return fn();
    const t = setTimeout(() => {
      this.delayed.delete(t);
      fn();
    }, this.delay);
    this.delayed.add(t);
  }

  /**
   * Sends each frame to the connections subscribed to its topic (and owning its account), once per
   * subscription that covers it: like BitMEX, where each subscription is its own stream, a
   * connection subscribed to both `table` and `table:SYMBOL` gets that symbol's frames twice.
   * Returns recipients of the last.
   */
  broadcast(frames: readonly MarketFrame[]): number {
    let n = 0;
    for (const f of frames) {
      n = 0;
      let text: string | undefined;
      for (const c of this.conns.values()) {
        if (f.account !== undefined && c.account !== f.account) continue;
        const copies = Number(c.subs.has(f.table)) + Number(c.subs.has(`${f.table}:*`)) + Number(f.symbol !== undefined && c.subs.has(`${f.table}:${f.symbol}`));
        if (copies === 0) continue;
        text ??= JSON.stringify({ table: f.table, action: f.action, data: f.data });
        let sent = false;
        for (let i = 0; i < copies; i++) sent = this.write(c, text) || sent;
        if (sent) n++;
      }
    }
    return n;
  }

  dropConn(c: Conn, options: DropOptions): boolean {
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

  write(conn: Conn, text: string, ignoreSilence = false): boolean {
    if ((this.faults.silent && !ignoreSilence) || conn.ws.readyState !== WebSocket.OPEN) return false;
    this.counters.framesSent++;
    if (this.delay === 0) conn.ws.send(text);
    else this.later(() => conn.ws.readyState === WebSocket.OPEN && conn.ws.send(text));
    return true;
  }

  info(c: Conn): SimulatorConnection {
    const info: { -readonly [K in keyof SimulatorConnection]: SimulatorConnection[K] } = {
      id: c.id, path: c.path, authenticated: c.apiKey !== undefined, subscriptions: [...c.subs],
    };
    if (c.apiKey !== undefined) info.apiKey = c.apiKey;
    if (c.account !== undefined) info.account = c.account;
    return info;
  }

  emit(event: SimulatorEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch {
        // a test's listener failing must not take the server down
      }
    }
  }
}

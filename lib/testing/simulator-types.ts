/**
 * The public types of {@link BitmexSimulator}: its options and what it reports about connections,
 * requests and faults. Kept apart from the class so the server's parts can share them.
 * @module
 */
import type { SimulatorInstrument } from './instruments';
import type { MarketFrame } from './market-frames';

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

/**
 * One logical connection to a BitMEX realtime endpoint: an rxjs `webSocket` subject plus the
 * lifecycle around it (welcome, authentication, heartbeat, reconnect with backoff).
 * @module
 */
import { BehaviorSubject, type Subscription } from 'rxjs';
import { webSocket, type WebSocketSubject } from 'rxjs/webSocket';
import { BitmexApiError, BitmexConnectionError } from '../protocol/errors';
import { parseFrame, FrameParseError, type ServerFrame } from '../protocol/frames';

/** Connection status as seen by users. */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Heartbeat settings: ping after `idleMs` without a frame, declare dead `timeoutMs` later. */
export interface HeartbeatOptions {
  /** Quiet time before a `ping` is sent. Default 5000. */
  readonly idleMs?: number;
  /** Time to wait for any frame after the `ping` before the socket counts as dead. Default 5000. */
  readonly timeoutMs?: number;
}

/** Reconnect settings: exponential backoff with jitter. */
export interface ReconnectOptions {
  /** First delay. Default 1000. */
  readonly initialDelayMs?: number;
  /** Delay cap. Default 30000. */
  readonly maxDelayMs?: number;
  /** A connection that stayed open this long resets the backoff. Default 10000. */
  readonly resetAfterMs?: number;
}

/** The minimal WebSocket surface this library needs (browser WebSocket and `ws` both fit). */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Sends one text frame. */
  send(data: string): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Registers a close listener (the only event this library listens to directly). */
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
}

/** A WebSocket class: the browser's, `ws`'s, or a user's own. */
export type WebSocketCtor = new (url: string, protocols?: string | string[]) => unknown;

/** What a connection reports to its owner. */
export interface ConnectionHandler {
  /** Welcome received and authentication (if any) settled; `authError` set when it failed. */
  ready(authError: BitmexApiError | undefined): void;
  /** A frame of the live session (never welcome, auth replies or pong). */
  frame(frame: ServerFrame): void;
  /** The socket went away; `retrying` is false when the connection is over for good. */
  down(error: BitmexConnectionError, retrying: boolean): void;
  /** A frame that could not be parsed (skipped). */
  malformed(error: FrameParseError): void;
}

/** Settings of one connection (filled with defaults by the client). */
export interface ConnectionSettings {
  readonly url: string;
  readonly WebSocketCtor: WebSocketCtor;
  /** Makes fresh `authKeyExpires` args; a closure, so the secret is in no inspectable object. */
  readonly authArgs: (() => readonly [string, number, string]) | undefined;
  readonly heartbeat: Required<HeartbeatOptions> | false;
  readonly reconnect: Required<ReconnectOptions> | false;
}

const OPEN = 1;
const HEARTBEAT_CLOSE = 4000;

/** Delay before reconnect attempt `attempt` (0-based): equal jitter over an exponential curve. */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}

/** Parses an HTTP `Retry-After` header (seconds or a date) into milliseconds. */
export function parseRetryAfter(value: unknown, now = Date.now()): number {
  const text = Array.isArray(value) ? String(value[0]) : typeof value === 'string' || typeof value === 'number' ? String(value) : '';
  if (text === '') return 0;
  const seconds = Number(text);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, date - now) : 0;
}

/**
 * Drives one endpoint. The socket is an rxjs `webSocket` subject fed raw text, so a malformed
 * frame is reported and skipped instead of erroring the subject.
 */
export class Connection {
  /** The underlying rxjs socket subject (raw text in, objects or text out). */
  readonly ws: WebSocketSubject<unknown>;
  /** Current status; replays the latest value. */
  readonly status$ = new BehaviorSubject<ConnectionStatus>('closed');
  /** True between the welcome (and auth) and the socket's end. */
  private isReady = false;
  /** Whether the live session is authenticated (read-only outside). */
  authenticated = false;

  private readonly settings: ConnectionSettings;
  private readonly handler: ConnectionHandler;
  private session: Subscription | undefined;
  private socket: WebSocketLike | undefined;
  /** Bumped per socket so late events of an abandoned socket are ignored. */
  private generation = 0;
  private attempt = 0;
  private stopped = true;
  private welcomed = false;
  private authPending = false;
  private retryAfterMs = 0;
  private pingSent = false;
  private pingAt = 0;
  private framesSeen = 0;
  private heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private healthyTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(settings: ConnectionSettings, handler: ConnectionHandler) {
    this.settings = settings;
    this.handler = handler;
    const Base = settings.WebSocketCtor;
    // A constructor returning another object is honoured by `new`: this lets us keep the raw
    // socket (close codes, terminate) and read a refused handshake's Retry-After under Node.
    const self = this;
    const Ctor = function (url: string, protocols?: string | string[]) {
      const socket = (protocols === undefined ? new Base(url) : new Base(url, protocols)) as WebSocketLike;
      self.adopt(socket);
      return socket;
    } as unknown as WebSocketCtor;
    this.ws = webSocket<unknown>({
      url: settings.url,
      WebSocketCtor: Ctor as never,
      deserializer: (e: MessageEvent) => (typeof e.data === 'string' ? e.data : String(e.data)),
      serializer: (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v)),
    });
  }

  /** Opens the socket if it is not open or opening. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    this.open();
  }

  /** Whether a socket is open and past welcome/auth. */
  get ready(): boolean {
    return this.isReady;
  }

  /** Sends a request on the live socket. Returns false (and sends nothing) when it is not open. */
  send(message: unknown): boolean {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== OPEN) return false;
    socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    return true;
  }

  /** Closes for good with code 1000; no reconnect. Resolves when the socket has closed. */
  stop(): Promise<void> {
    this.stopped = true;
    const { socket, session } = this.endSession();
    this.setStatus('closed');
    if (socket === undefined) {
      session?.unsubscribe();
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      if (socket.readyState >= 2) {
        resolve();
      } else {
        socket.addEventListener('close', () => resolve());
        // A closing handshake against a dead peer would linger: cut it after a while.
        const cut = setTimeout(() => {
          terminate(socket);
          resolve();
        }, 2000);
        socket.addEventListener('close', () => clearTimeout(cut));
      }
      try {
        socket.close(1000, 'client closed');
      } catch {
        terminate(socket);
        resolve();
      }
      session?.unsubscribe();
    });
  }

  private open(): void {
    this.retryAfterMs = 0;
    this.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const generation = ++this.generation;
    this.session = this.ws.subscribe({
      next: (data) => {
        if (generation === this.generation) this.onText(data as string);
      },
      // The close listener on the raw socket reports the end; this only catches a constructor
      // that threw (bad URL), where no socket exists to report anything.
      error: (err: unknown) => {
        if (generation === this.generation && this.socket === undefined) {
          this.lost(1006, err instanceof Error ? err.message : 'socket could not be created');
        }
      },
    });
  }

  /** Called from inside the socket constructor wrapper with the fresh raw socket. */
  private adopt(socket: WebSocketLike): void {
    const generation = this.generation;
    this.socket = socket;
    socket.addEventListener('close', (e) => {
      if (generation === this.generation) this.lost(e.code, e.reason);
    });
    const nodeSocket = socket as unknown as { on?: (ev: string, fn: (...a: never[]) => void) => void };
    if (typeof nodeSocket.on === 'function') {
      nodeSocket.on('unexpected-response', ((req: { destroy(e: Error): void }, res: { statusCode?: number; headers: Record<string, unknown>; resume(): void }) => {
        this.retryAfterMs = parseRetryAfter(res.headers['retry-after']);
        res.resume();
        req.destroy(new Error(`Unexpected server response: ${res.statusCode ?? 0}`));
      }) as never);
    }
    this.armHeartbeat();
  }

  private onText(text: string): void {
    this.framesSeen++;
    const frame = parseFrame(text);
    if (frame instanceof FrameParseError) {
      this.handler.malformed(frame);
      return;
    }
    switch (frame.kind) {
      case 'pong':
        return;
      case 'welcome':
        if (!this.welcomed) this.onWelcome();
        return;
      case 'authenticated':
        if (this.authPending && frame.request.op === 'authKeyExpires') {
          this.authPending = false;
          this.authenticated = true;
          this.becomeReady(undefined);
          return;
        }
        break;
      case 'error':
        if (this.authPending && frame.request?.op === 'authKeyExpires') {
          this.authPending = false;
          this.becomeReady(new BitmexApiError(frame.status, frame.error, frame.meta, frame.request));
          return;
        }
        break;
      case 'subscribed':
      case 'unsubscribed':
      case 'cancelAllAfter':
      case 'table':
        break;
      default: {
        const unreachable: never = frame;
        return unreachable;
      }
    }
    this.handler.frame(frame);
  }

  private onWelcome(): void {
    this.welcomed = true;
    const authArgs = this.settings.authArgs;
    if (authArgs === undefined) {
      this.becomeReady(undefined);
      return;
    }
    this.authPending = true;
    this.send({ op: 'authKeyExpires', args: authArgs() });
  }

  private becomeReady(authError: BitmexApiError | undefined): void {
    this.isReady = true;
    this.setStatus('open');
    const reconnect = this.settings.reconnect;
    if (reconnect !== false) {
      this.healthyTimer = setTimeout(() => {
        this.attempt = 0;
      }, reconnect.resetAfterMs);
    }
    this.handler.ready(authError);
  }

  /**
   * Forgets the current socket and its session state; late events of that socket are ignored
   * from here on. Returns what was current, for the caller to close.
   */
  private endSession(): { socket: WebSocketLike | undefined; session: Subscription | undefined } {
    const ended = { socket: this.socket, session: this.session };
    this.generation++;
    this.clearTimers();
    this.socket = undefined;
    this.session = undefined;
    this.welcomed = false;
    this.authPending = false;
    this.isReady = false;
    this.authenticated = false;
    return ended;
  }

  /** The current socket is gone (closed, failed, or declared dead). */
  private lost(code: number, reason: string): void {
    if (this.stopped) return;
    this.endSession().session?.unsubscribe();
    const error = new BitmexConnectionError(code, reason);
    const reconnect = this.settings.reconnect;
    if (reconnect === false) {
      this.stopped = true;
      this.setStatus('closed');
      this.handler.down(error, false);
      return;
    }
    const delay = Math.max(this.retryAfterMs, backoffDelay(this.attempt, reconnect.initialDelayMs, reconnect.maxDelayMs));
    this.attempt++;
    this.setStatus('reconnecting');
    this.handler.down(error, true);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (!this.stopped) this.open();
    }, delay);
  }

  /**
   * The hot path only counts frames; a timer looks at the count a few times per idle period.
   * That costs no clock read and no timer reset per frame, and sends the `ping` at most a
   * quarter of `idleMs` after the idle time is up.
   */
  private armHeartbeat(): void {
    const hb = this.settings.heartbeat;
    if (hb === false || this.heartbeatTimer !== undefined) return;
    const step = Math.max(1, Math.min(hb.idleMs, hb.timeoutMs) / 4);
    let seen = this.framesSeen;
    let quietSince = now();
    const check = (): void => {
      const t = now();
      if (this.framesSeen !== seen) {
        seen = this.framesSeen;
        quietSince = t;
        this.pingSent = false;
      }
      if (!this.pingSent) {
        if (t - quietSince >= hb.idleMs) {
          this.pingSent = true;
          this.pingAt = t;
          this.send('ping');
        }
      } else if (t - this.pingAt >= hb.timeoutMs) {
        this.heartbeatTimer = undefined;
        this.declareDead();
        return;
      }
      this.heartbeatTimer = setTimeout(check, step);
    };
    this.heartbeatTimer = setTimeout(check, step);
  }

  private declareDead(): void {
    const socket = this.socket;
    this.lost(HEARTBEAT_CLOSE, 'heartbeat timeout');
    if (socket !== undefined) terminate(socket);
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status$.value !== status) this.status$.next(status);
  }

  private clearTimers(): void {
    if (this.heartbeatTimer !== undefined) clearTimeout(this.heartbeatTimer);
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    if (this.healthyTimer !== undefined) clearTimeout(this.healthyTimer);
    this.heartbeatTimer = this.reconnectTimer = this.healthyTimer = undefined;
    this.pingSent = false;
  }
}

function now(): number {
  return Date.now();
}

/** Drops a socket at once: `ws` has terminate(); a browser socket can only be asked to close. */
function terminate(socket: WebSocketLike): void {
  const s = socket as WebSocketLike & { terminate?: () => void };
  try {
    if (typeof s.terminate === 'function') s.terminate();
    else s.close(HEARTBEAT_CLOSE, 'heartbeat timeout');
  } catch {
    // Already closed.
  }
}

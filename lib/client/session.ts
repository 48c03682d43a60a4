/**
 * One session on one socket: the welcome, then `authKeyExpires` when keys are set, then
 * `ready`; the frames of the live session; a heartbeat that declares a silent socket dead; and
 * `down` when the socket goes away. {@link Connection} restarts it with backoff.
 * @module
 */
import { Observable, type Subscription } from 'rxjs';
import type { WebSocketSubject } from 'rxjs/webSocket';
import { BitmexConnectionError, type BitmexApiError } from '../protocol/errors';
import { FrameParseError, parseFrame, tableNamedIn, type Request, type ServerFrame, type WelcomeFrame } from '../protocol/frames';
import type { ClockEstimator } from './clock';
import { retryAfterMs } from './backoff';
import { apiError } from './refusals';
import type { AuthArgs } from './options';

/** Heartbeat settings: ping after `idleMs` without a frame, declare dead `timeoutMs` later. */
export interface HeartbeatOptions {
  /** Quiet time before a `ping` is sent. Default 5000. */
  readonly idleMs?: number;
  /** Time to wait for any frame after the `ping` before the socket counts as dead. Default 5000. */
  readonly timeoutMs?: number;
}

/** The minimal WebSocket surface this library needs (browser WebSocket and `ws` both fit). */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Sends one text frame. */
  send(data: string): void;
  /** Starts the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Registers a close listener. */
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
}

/** A live, ready session: what topics and the dead man's switch send through. */
export interface Session {
  /** Whether `authKeyExpires` succeeded on this socket. */
  readonly authenticated: boolean;
  /** Why authentication failed, if it did (public topics still work). */
  readonly authError: BitmexApiError | undefined;
  /** Sends a request; false (nothing sent) once the socket is no longer open. */
  send(request: Request | 'ping'): boolean;
}

/** What a session emits: server frames (welcome, auth replies and pongs are consumed), and its own milestones. */
export type SessionEvent =
  | ServerFrame
  | { readonly kind: 'ready'; readonly session: Session }
  | { readonly kind: 'malformed'; readonly error: FrameParseError; readonly table: string | undefined }
  | { readonly kind: 'down'; readonly error: BitmexConnectionError };

/** The socket went away; `retryAfterMs` is what a refused handshake (or a 429 to `authKeyExpires`) asked for. */
export class SocketLost extends Error {
  constructor(readonly error: BitmexConnectionError, readonly retryAfterMs: number) {
    super(error.message);
  }
}

/** What a session needs from its connection: the socket subject and what the raw socket said. */
export interface SocketPort {
  /** The rxjs socket subject (raw text in, requests out). */
  readonly ws: WebSocketSubject<unknown>;
  /** The raw socket of the current attempt, once constructed. */
  current(): WebSocketLike | undefined;
  /** Open events of the port's sockets (from the subject's `openObserver`). */
  readonly opens$: Observable<{ readonly target?: unknown }>;
  /** Close events of the port's sockets (from the subject's `closeObserver`). */
  readonly closes$: Observable<{ readonly code: number; readonly reason: string; readonly target?: unknown }>;
  /** `Retry-After` of a refused handshake of the current attempt, in ms (0 if none). */
  retryAfterMs(): number;
  /** True once the owner closes for good: the end of the socket then completes the session. */
  stopping(): boolean;
  /** Told first when the session becomes ready, and when it goes down. */
  sessionReady(session: Session): void;
  sessionDown(): void;
  /** Told of each welcome (it carries the connection budget's `limit.remaining`). */
  welcomed?(frame: WelcomeFrame): void;
}

/** Settings of a session. */
export interface SessionSettings {
  /**
   * Makes fresh `authKeyExpires` args for a time (default now); a closure, so the secret is in
   * no inspectable object. Given the server's time when the clock knows it.
   */
  readonly authArgs: AuthArgs | undefined;
  readonly heartbeat: Required<HeartbeatOptions> | false;
  /** Learns the server's clock from the welcome and ping round trips. */
  readonly clock?: ClockEstimator;
  /** A socket not ready (welcome and auth reply) this long after it was made is dropped and retried. */
  readonly connectTimeoutMs?: number;
}

/** A `ping` this often keeps the round trip (and so the clock estimate) fresh on a busy socket. */
const CLOCK_PING_MS = 30_000;

const OPEN = 1;
/** Close code reported when no welcome (or auth reply) came in time. */
export const CONNECT_TIMEOUT_CLOSE = 4003;
/** Close code reported when the heartbeat declares the socket dead. */
export const HEARTBEAT_CLOSE = 4000;

/**
 * Opens one socket through `port.ws` and runs its session. Emits `ready` once (after the welcome
 * and authentication), then the session's frames; on the socket's end emits `down` and errors
 * with {@link SocketLost} (or completes when the owner is stopping).
 */
export function openSession(port: SocketPort, settings: SessionSettings): Observable<SessionEvent> {
  return new Observable<SessionEvent>((subscriber) => {
    let phase: 'welcome' | 'auth' | 'ready' | 'over' = 'welcome';
    let authRetried = false;
    let framesSeen = 0;
    /** The wait a 429 to `authKeyExpires` asked for (ms). */
    let authWaitMs = 0;
    let heartbeat: ReturnType<typeof setTimeout> | undefined;

    const clock = settings.clock;
    let clockPing: ReturnType<typeof setInterval> | undefined;
    const send = (request: Request | 'ping'): boolean => {
      if (phase === 'over' || port.current()?.readyState !== OPEN) return false;
      if (request === 'ping') clock?.pingSent();
      port.ws.next(request);
      return true;
    };

    // A server that accepts the socket (and may even answer pings) but never welcomes: give up
    // on this socket and let the connection retry, reported like any other failed attempt.
    const connectTimeoutMs = settings.connectTimeoutMs;
    let connectTimer: ReturnType<typeof setTimeout> | undefined =
      connectTimeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            connectTimer = undefined;
            if (phase !== 'welcome' && phase !== 'auth') return;
            drop(CONNECT_TIMEOUT_CLOSE, `no ${phase === 'welcome' ? 'welcome' : 'authentication reply'} within ${connectTimeoutMs} ms`);
          }, connectTimeoutMs);

    const lose = (code: number, reason: string): void => {
      if (phase === 'over') return;
      phase = 'over';
      if (heartbeat !== undefined) clearTimeout(heartbeat);
      if (clockPing !== undefined) clearInterval(clockPing);
      if (connectTimer !== undefined) clearTimeout(connectTimer);
      const error = new BitmexConnectionError(code, reason);
      port.sessionDown();
      subscriber.next({ kind: 'down', error });
      if (port.stopping()) subscriber.complete();
      else subscriber.error(new SocketLost(error, Math.max(port.retryAfterMs(), authWaitMs)));
    };

    /** Ends the session with `code` and drops its socket at once (the connection reconnects). */
    const drop = (code: number, reason: string): void => {
      const socket = port.current();
      lose(code, reason);
      if (socket !== undefined) terminate(socket);
    };

    const ready = (authError: BitmexApiError | undefined): void => {
      phase = 'ready';
      if (connectTimer !== undefined) clearTimeout(connectTimer);
      const session: Session = { authenticated: settings.authArgs !== undefined && authError === undefined, authError, send };
      port.sessionReady(session);
      subscriber.next({ kind: 'ready', session });
    };

    // Signs (loading the signing code on first use) and sends, unless the session ended meanwhile.
    const authenticate = (authArgs: AuthArgs, nowMs: number | undefined): void => {
      authArgs(nowMs).then(
        (args) => phase === 'auth' && send({ op: 'authKeyExpires', args }),
        (e: unknown) => {
          if (phase !== 'auth') return;
          drop(CONNECT_TIMEOUT_CLOSE, `could not sign the authentication: ${e instanceof Error ? e.message : 'failed'}`);
        },
      );
    };

    const onText = (text: string): void => {
      framesSeen++;
      const frame = parseFrame(text);
      if (frame instanceof FrameParseError) {
        // Its table, when the text names one: that table's images may now be wrong (a lost delta).
        subscriber.next({ kind: 'malformed', error: frame, table: tableNamedIn(text) });
        return;
      }
      switch (frame.kind) {
        case 'table':
          subscriber.next(frame);
          return;
        case 'pong':
          clock?.pong();
          return;
        case 'welcome':
          if (phase !== 'welcome') return;
          if (clock !== undefined) {
            clock.reset();
            if (frame.timestamp !== undefined) clock.serverTime(Date.parse(frame.timestamp));
            send('ping');
            clockPing = setInterval(() => send('ping'), CLOCK_PING_MS);
          }
          port.welcomed?.(frame);
          if (settings.authArgs === undefined) {
            ready(undefined);
          } else {
            phase = 'auth';
            // Sign with the server's time: a local clock off by a minute would make it "expired".
            // This welcome's own time first: the clock's estimate rests on row stamps, which a
            // broken feed can put in the future, and a request signed from them stays valid until then.
            const welcomeMs = frame.timestamp === undefined ? NaN : Date.parse(frame.timestamp);
            const offset = clock?.estimate?.offsetMs;
            const estimateMs = offset === undefined ? undefined : Date.now() + offset;
            authenticate(settings.authArgs, isNaN(welcomeMs) ? estimateMs : welcomeMs);
          }
          return;
        case 'authenticated':
          if (phase === 'auth' && frame.request.op === 'authKeyExpires') {
            ready(undefined);
            return;
          }
          break;
        case 'error':
          if (phase === 'auth' && frame.request?.op === 'authKeyExpires') {
            // "This request has expired ... Current time: N": the server says its time (the
            // welcome may not have); sign once more with it.
            const serverSeconds = authRetried ? undefined : expiredAt(frame.error);
            if (serverSeconds !== undefined && settings.authArgs !== undefined) {
              authRetried = true;
              clock?.serverTime(serverSeconds * 1000);
              authenticate(settings.authArgs, serverSeconds * 1000);
              return;
            }
            // A rate limit or the server's trouble says nothing of the keys: failing the private
            // topics for good on this socket would be wrong; a new socket (with backoff, and not
            // before a 429's retryAfter: sooner it would only be refused too) asks again.
            if (frame.status === 429 || frame.status >= 500) {
              authWaitMs = retryAfterMs(frame) ?? 0;
              return drop(CONNECT_TIMEOUT_CLOSE, frame.error);
            }
            ready(apiError(frame));
            return;
          }
          break;
        case 'subscribed':
        case 'unsubscribed':
        case 'cancelAllAfter':
          break;
        default: {
          const unreachable: never = frame;
          return unreachable;
        }
      }
      subscriber.next(frame);
    };

    // The hot path only counts frames; a timer looks at the count a few times per idle period.
    // That costs no clock read and no timer reset per frame, and sends the `ping` at most a
    // quarter of `idleMs` after the idle time is up.
    // The heartbeat runs from the socket's open (the subject's openObserver) to its end.
    const startHeartbeat = (): void => {
      const hb = settings.heartbeat;
      if (hb === false || heartbeat !== undefined || phase === 'over') return;
      const step = Math.max(1, Math.min(hb.idleMs, hb.timeoutMs) / 4);
      let seen = framesSeen;
      let quietSince = Date.now();
      let pingAt = 0;
      const check = (): void => {
        const t = Date.now();
        if (framesSeen !== seen) {
          seen = framesSeen;
          quietSince = t;
          pingAt = 0;
        }
        if (pingAt === 0) {
          if (t - quietSince >= hb.idleMs) {
            pingAt = t;
            send('ping');
          }
        } else if (t - pingAt >= hb.timeoutMs) {
          heartbeat = undefined;
          drop(HEARTBEAT_CLOSE, 'heartbeat timeout');
          return;
        }
        heartbeat = setTimeout(check, step);
      };
      heartbeat = setTimeout(check, step);
    };

    // Events of an older socket (a terminated one closing late) are not this session's.
    const ours = (e: { readonly target?: unknown }): boolean => e.target === undefined || e.target === port.current();
    const closes: Subscription = port.closes$.subscribe((e) => {
      if (ours(e)) lose(e.code, e.reason);
    });
    closes.add(port.opens$.subscribe((e) => ours(e) && startHeartbeat()));
    const texts = port.ws.subscribe({
      next: (data) => {
        if (phase !== 'over') onText(data as string);
      },
      // The close event reports the end; this only catches a constructor that threw (bad URL),
      // where no socket exists to report anything.
      error: (err: unknown) => {
        if (port.current() === undefined) lose(1006, err instanceof Error ? err.message : 'socket could not be created');
      },
    });
    // A socket someone else opened through the subject (its `ws`) is open already.
    if (port.current()?.readyState === OPEN) startHeartbeat();
    return () => {
      phase = 'over';
      if (heartbeat !== undefined) clearTimeout(heartbeat);
      if (clockPing !== undefined) clearInterval(clockPing);
      if (connectTimer !== undefined) clearTimeout(connectTimer);
      closes.unsubscribe();
      texts.unsubscribe();
    };
  });
}

/** The server's time (UNIX seconds) in BitMEX's "request has expired ... Current time: N" answer. */
function expiredAt(error: string): number | undefined {
  const m = /expired.*Current time:\s*(\d{9,11})\b/i.exec(error);
  return m === null ? undefined : Number(m[1]);
}

/** Drops a socket at once: `ws` has terminate(); a browser socket can only be asked to close. */
export function terminate(socket: WebSocketLike): void {
  const s = socket as WebSocketLike & { terminate?: () => void };
  try {
    if (typeof s.terminate === 'function') s.terminate();
    else s.close(HEARTBEAT_CLOSE, 'heartbeat timeout');
  } catch {
    // Already closed.
  }
}

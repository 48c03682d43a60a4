/**
 * One endpoint's connection: the rxjs `webSocket` subject, and its sessions ({@link openSession})
 * restarted with backoff, multicast as one stream of session events.
 * @module
 */
import { BehaviorSubject, Subject, defer, filter, map, retry, share, take, throwError, timer, type Observable } from 'rxjs';
import { webSocket, type WebSocketSubject } from 'rxjs/webSocket';
import { BitmexConnectionError } from '../protocol/errors';
import type { WelcomeFrame } from '../protocol/frames';
import { backoffDelay, RETRY_AFTER_MAX_MS } from './backoff';
import { budgetDelayMs, withinHour } from './connection-budget';
import { Multicast } from './multicast';
import { onRefusedHandshake } from './refused-handshake';
import {
  openSession,
  SocketLost,
  terminate,
  type Session,
  type SessionEvent,
  type SessionSettings,
  type SocketPort,
  type WebSocketLike,
} from './session';

export type { HeartbeatOptions, WebSocketLike } from './session';

/** Connection status as seen by users. */
export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** Reconnect settings: exponential backoff with jitter. */
export interface ReconnectOptions {
  /** First delay. Default 1000. */
  readonly initialDelayMs?: number;
  /** Delay cap. Default 30000. */
  readonly maxDelayMs?: number;
  /** A connection that stayed open this long resets the backoff. Default 10000. */
  readonly resetAfterMs?: number;
}

/** A WebSocket class: the browser's, `ws`'s, or a user's own. */
export type WebSocketCtor = new (url: string, protocols?: string | string[]) => unknown;

/** Settings of one connection (defaults already filled in). */
export interface ConnectionSettings extends SessionSettings {
  readonly url: string;
  readonly WebSocketCtor: WebSocketCtor;
  readonly reconnect: Required<ReconnectOptions> | false;
  /** Told of each failed or lost connection that will be retried: why, which attempt, when the next. */
  readonly report?: (error: BitmexConnectionError) => void;
}

type CloseInfo = { readonly code: number; readonly reason: string; readonly target?: unknown };

/**
 * Drives one endpoint. `events$` opens the socket on first subscription and reconnects with
 * backoff until {@link Connection.stop}; every subscriber sees the same sessions.
 */
export class Connection implements SocketPort {
  /** The rxjs socket subject (raw text in, requests out). */
  readonly ws: WebSocketSubject<unknown>;
  /** Current status; replays the latest value. */
  readonly status$ = new BehaviorSubject<ConnectionStatus>('closed');
  /** Session events of every socket in turn: `ready`, frames, `down`. */
  readonly events$: Observable<SessionEvent>;
  readonly opens$ = new Subject<{ readonly target?: unknown }>();
  readonly closes$ = new Subject<CloseInfo>();

  private socket: WebSocketLike | undefined;
  private refusedRetryAfterMs = 0;
  private attempt = 0;
  private stopped = false;
  private live: Session | undefined;
  private healthy: ReturnType<typeof setTimeout> | undefined;
  /** The socket's own error of the current attempt (`connect ECONNREFUSED ...`, a refused handshake). */
  private socketError: string | undefined;
  /** Whether the current attempt got as far as a ready session. */
  private wasReady = false;
  /** Connections left this hour, from the last welcome's `limit.remaining`. */
  private remaining: number | undefined;
  /** When this connection's sockets were welcomed, within the last hour. */
  private welcomes: number[] = [];

  constructor(private readonly settings: ConnectionSettings) {
    this.ws = webSocket<unknown>({
      url: settings.url,
      WebSocketCtor: this.socketClass(settings.WebSocketCtor) as never,
      deserializer: (e: MessageEvent) => (typeof e.data === 'string' ? e.data : String(e.data)),
      serializer: (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v)),
      openObserver: { next: (e: Event) => this.opens$.next(e) },
      closeObserver: { next: (e: CloseEvent) => this.closes$.next(e) },
    });
    this.events$ = defer(() => {
      this.setStatus(this.attempt === 0 ? 'connecting' : 'reconnecting');
      this.refusedRetryAfterMs = 0;
      this.socketError = undefined;
      this.wasReady = false;
      return openSession(this, settings);
    }).pipe(
      retry({ delay: (e: unknown) => this.retryDelay(e) }),
      // Every frame passes here: a Multicast hands it on without rxjs Subject's per-value garbage.
      share({ connector: () => new Multicast<SessionEvent>() }),
    );
  }

  /**
   * The outcome of the next session: completes when it is ready and, with keys, authenticated;
   * errors with why it went down or why authentication failed.
   */
  get nextReady$(): Observable<void> {
    return this.events$.pipe(
      filter((e): e is Extract<SessionEvent, { kind: 'ready' | 'down' }> => e.kind === 'ready' || e.kind === 'down'),
      take(1),
      map((e) => {
        if (e.kind === 'down') throw e.error;
        if (e.session.authError !== undefined) throw e.session.authError;
      }),
    );
  }

  /** The ready session, if any. */
  get session(): Session | undefined {
    return this.live;
  }

  current(): WebSocketLike | undefined {
    return this.socket;
  }

  retryAfterMs(): number {
    return this.refusedRetryAfterMs;
  }

  stopping(): boolean {
    return this.stopped;
  }

  /**
   * Closes for good with code 1000 (no reconnect); `events$` then completes. Resolves when the
   * socket has closed (a closing handshake with a dead peer is cut after 2 s).
   */
  stop(): Promise<void> {
    this.stopped = true;
    this.live = undefined;
    if (this.healthy !== undefined) clearTimeout(this.healthy);
    this.setStatus('closed');
    const socket = this.socket;
    if (socket === undefined || socket.readyState >= 2) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const cut = setTimeout(() => {
        terminate(socket);
        resolve();
      }, 2000);
      socket.addEventListener('close', () => {
        clearTimeout(cut);
        resolve();
      });
      try {
        // The subject closes an open socket with the code and reason of an error it is given.
        if (socket.readyState === 1) this.ws.error({ code: 1000, reason: 'client closed' });
        else socket.close(1000, 'client closed');
      } catch {
        terminate(socket);
      }
    });
  }

  /**
   * The class the subject constructs: the given one, noting each raw socket (for `terminate`)
   * and, under Node's `ws`, a refused handshake's `Retry-After`.
   */
  private socketClass(Base: WebSocketCtor): WebSocketCtor {
    const self = this;
    // A constructor returning another object is honoured by `new`: the subject gets Base's socket.
    return function (url: string, protocols?: string | string[]) {
      const socket = (protocols === undefined ? new Base(url) : new Base(url, protocols)) as WebSocketLike;
      self.socket = socket;
      // The close event of a failed attempt says only 1006; the error event says why.
      (socket as unknown as { addEventListener(type: 'error', fn: (e: { message?: unknown; error?: { message?: unknown } }) => void): void }).addEventListener('error', (e) => {
        const message = typeof e.message === 'string' ? e.message : typeof e.error?.message === 'string' ? e.error.message : undefined;
        if (self.socket === socket && message !== undefined && message !== '') self.socketError = message;
      });
      onRefusedHandshake(socket, (ms) => {
        self.refusedRetryAfterMs = ms;
      });
      return socket;
    } as unknown as WebSocketCtor;
  }

  welcomed(frame: WelcomeFrame): void {
    const remaining = frame.limit?.remaining;
    if (typeof remaining === 'number') this.remaining = remaining;
    const now = Date.now();
    this.welcomes = withinHour(this.welcomes, now);
    this.welcomes.push(now);
  }

  sessionReady(session: Session): void {
    this.wasReady = true;
    this.live = session;
    this.setStatus('open');
    const reconnect = this.settings.reconnect;
    if (reconnect !== false) {
      this.healthy = setTimeout(() => {
        this.attempt = 0;
      }, reconnect.resetAfterMs);
    }
  }

  sessionDown(): void {
    this.live = undefined;
    if (this.healthy !== undefined) clearTimeout(this.healthy);
    this.healthy = undefined;
  }

  /** When to try again after a lost socket; an error ends `events$` (reconnect off). */
  private retryDelay(e: unknown): Observable<unknown> {
    const reconnect = this.settings.reconnect;
    if (!(e instanceof SocketLost)) return throwError(() => e);
    if (reconnect === false || this.stopped) {
      this.setStatus('closed');
      return throwError(() => e.error);
    }
    const delay = Math.max(Math.min(e.retryAfterMs, RETRY_AFTER_MAX_MS), backoffDelay(this.attempt, reconnect.initialDelayMs, reconnect.maxDelayMs), budgetDelayMs(this.remaining, withinHour(this.welcomes, Date.now()).length));
    this.attempt++;
    this.setStatus('reconnecting');
    this.settings.report?.(this.failure(e.error, delay));
    return timer(delay);
  }

  /** Why this attempt ended, which it was and when the next starts, for `errors$`. */
  private failure(lost: BitmexConnectionError, delay: number): BitmexConnectionError {
    const why = [lost.code, this.socketError ?? lost.reason].filter((x) => x !== '').join(': ');
    const what = this.wasReady ? 'connection lost' : `connection attempt failed`;
    const ms = Math.round(delay);
    return new BitmexConnectionError(lost.code, this.socketError ?? lost.reason, `${what} (${why}); retry ${this.attempt} in ${ms} ms`, {
      attempt: this.attempt,
      retryInMs: ms,
    });
  }

  private setStatus(status: ConnectionStatus): void {
    if (this.status$.value !== status) this.status$.next(status);
  }
}

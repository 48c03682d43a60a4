/**
 * `BitmexWebSocket`: the BitMEX realtime API as RxJS observables. It wires the steps a frame
 * takes: the connections of both endpoints (./endpoints, on ./connection and ./session), the
 * routing of their session events (./event-router) through the topics that admit a frame's rows
 * (./topics), `scan` through the reducer (./table-states), what a state says went wrong
 * (./state-problems), and the operators (../operators) that turn states into `table$`,
 * `changes$` and `book$`.
 * @module
 */
import { defer, firstValueFrom, merge, NEVER, Observable, ReplaySubject, Subject, switchMap, takeUntil, throwIfEmpty } from 'rxjs';
import { BitmexConnectionError, BitmexError } from '../protocol/errors';
import { splitTopic, topicOf, type FrameParseError, type TableFrame } from '../protocol/frames';
import type { RowOf } from '../protocol/rows';
import { parseTimestamp } from '../protocol/timestamp';
import { rowsOf, type Change } from '../reducer/reducer';
import { changesOf$ } from '../operators/changes-of';
import { bookOptions } from '../operators/book-options';
import { bookSymbol, symbolSet } from '../operators/symbols';
import { tableOf$ } from '../operators/table-of';
import type { DepthSnapshot } from '../views/grouped-book';
import type { LatencyReport } from '../views/latency';
import { ClockEstimator, type ClockEstimate } from './clock';
import type { Connection, ConnectionStatus } from './connection';
import { Endpoints } from './endpoints';
import { EventRouter } from './event-router';
import { followFrom } from './follow-from';
import { resolveOptions, type BitmexWebSocketOptions } from './options';
import { reportStateProblems } from './state-problems';
import { storageOf, type BookOptions, type Storage } from './storage';
import { TableStates } from './table-states';
import { Topics } from './topics';
import { bookView } from './views-loader';

export { resolveEndpoint, type BitmexWebSocketOptions, type DeadMansSwitchOptions, type Endpointish } from './options';
export type { BookOptions, Storage } from './storage';

/** Close code reported when a subscribe got no answer in time. */
const SUBSCRIBE_TIMEOUT_CLOSE = 4004;

/**
 * A BitMEX realtime client. One socket per endpoint, opened on first use and kept until
 * {@link BitmexWebSocket.close}; topics are subscribed while observed.
 *
 * ```ts
 * const bitmex = new BitmexWebSocket({ endpoint: 'testnet' });
 * bitmex.book$('XBTUSD', { depth: 10 }).subscribe((book) => console.log(book.bids[0], book.asks[0]));
 * ```
 */
export class BitmexWebSocket {
  /** Parses a BitMEX timestamp (ISO-8601 UTC) into a Date. */
  static parseTimestamp(timestamp: string): Date {
    return parseTimestamp(timestamp);
  }

  /** Connection status of the trading endpoint, current value first. */
  readonly status$: Observable<ConnectionStatus>;
  /**
   * The server clock estimate, latest value first: `{ offsetMs, roundTripMs, uncertaintyMs, at }`
   * from each welcome's `timestamp` and `ping`/`pong` round trips (a ping on each welcome, then
   * every 30 s).
   */
  readonly clock$: Observable<ClockEstimate>;
  /**
   * About once a second while data flows: how late the observed tables' frames arrive (receive
   * time minus their newest row `timestamp`, corrected by the clock offset), median and maximum,
   * overall and per table. Observing it subscribes no topic.
   */
  readonly latency$: Observable<LatencyReport>;
  /**
   * Problems that did not stop any stream: malformed or unusable frames and rows (skipped),
   * inconsistencies (then resynced), refused subscribes that are retried, connections that failed
   * and are retried, stray error frames.
   */
  readonly errors$: Observable<BitmexError | FrameParseError>;
  /** A read-only live view of the current tables and books. */
  readonly storage: Storage;
  /** The resolved `/realtime` URL. */
  readonly url: string;

  private readonly clockEstimates = new ReplaySubject<ClockEstimate>(1);
  private readonly clock = new ClockEstimator(Date.now, (e) => this.clockEstimates.next(e));
  /** Admitted table frames, for latency$ (fed only while it is observed). */
  private readonly arrivals = new Subject<TableFrame>();
  private readonly endpoints: Endpoints;
  private readonly topics: Topics;
  private readonly router: EventRouter;
  private readonly errors = new Subject<BitmexError | FrameParseError>();
  /** Admitted frames and image drops, scanned through the reducer. */
  private readonly tables: TableStates;
  /** Emits once, on close: every stream completes. */
  private readonly ended = new Subject<void>();
  private closed = false;
  private fatal: BitmexError | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: BitmexWebSocketOptions = {}) {
    // Every option is checked here, at once; the secret lives only in the signing closure.
    const o = resolveOptions(options);
    this.url = o.url;
    const report = (error: BitmexError | FrameParseError): void => this.errors.next(error);
    this.endpoints = new Endpoints({
      options: o,
      clock: this.clock,
      event: (endpoint, e) => this.router.route(endpoint, e),
      report,
      fatal: (error) => (this.closing ??= this.shutdown(error)),
    });
    this.tables = new TableStates(
      { tableKeys: o.tableKeys, maxTableLength: o.maxTableLength },
      // Last resort (the reducer is not meant to throw on frame content): report, and replace the
      // sockets so every observed topic comes back from a fresh partial (the states go on from
      // empty tables: the old chain may be half-updated).
      (error) => {
        report(error);
        this.endpoints.replace();
      },
      // What a state could not use is reported, and its topic resynced; the streams report the end.
      (state) => reportStateProblems(state, this.topics, report),
    );
    this.topics = new Topics({
      session: (endpoint) => this.endpoints.session(endpoint),
      start: (endpoint) => {
        if (!this.closed) this.endpoints.start(endpoint);
      },
      drop: (table, filter) => this.tables.feed({ kind: 'drop', table, filter }),
      symbolsOf: (table) => new Set(rowsOf(this.tables.current, table).map((r) => r.symbol).filter((s): s is string => typeof s === 'string')),
      subscribeTimeoutMs: o.subscribeTimeoutMs,
      // A subscribe or unsubscribe got no answer in time: reported, and the socket replaced (a
      // session that ignores requests is broken); the reconnect subscribes every observed topic afresh.
      unanswered: (endpoint, what) => {
        report(new BitmexConnectionError(SUBSCRIBE_TIMEOUT_CLOSE, `${what}; reconnecting`));
        this.endpoints.replace(endpoint);
      },
      report,
    });
    this.router = new EventRouter(this.topics, this.tables, this.arrivals, this.clock, report);
    this.status$ = this.endpoints.main.status$.asObservable();
    this.errors$ = this.errors.asObservable();
    this.clock$ = this.clockEstimates.pipe(takeUntil(this.ended));
    // The latency code is loaded when latency$ is first observed.
    this.latency$ = defer(() => import('../views/latency')).pipe(
      switchMap(({ measureLatency }) => this.arrivals.pipe(measureLatency({ offsetMs: () => this.clock.estimate?.offsetMs ?? 0 }))),
      takeUntil(this.ended),
    );
    this.storage = storageOf(() => this.tables.current);
  }

  /** The trading endpoint's rxjs socket subject (raw frames). Prefer the streams. */
  get ws(): Connection['ws'] {
    return this.endpoints.main.ws;
  }

  /** Server clock minus local clock, ms, once the first welcome arrived (see {@link clock$}). */
  get clockOffsetMs(): number | undefined {
    return this.clock.estimate?.offsetMs;
  }

  /** `cancelTime` of the last `cancelAllAfter` reply (undefined before one, or once disarmed). */
  get cancelTime(): Date | undefined {
    return this.endpoints.cancelTime;
  }

  /**
   * Opens the connection (if not yet open). Resolves once the welcome frame arrived and
   * authentication, if configured, succeeded; rejects with the reason otherwise.
   */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(this.fatal ?? new BitmexError('client is closed'));
    const session = this.endpoints.session('main');
    if (session !== undefined) return session.authError === undefined ? Promise.resolve() : Promise.reject(session.authError);
    this.endpoints.start('main');
    return firstValueFrom(this.endpoints.main.nextReady$.pipe(takeUntil(this.ended), throwIfEmpty(() => this.fatal ?? new BitmexError('client closed'))));
  }

  /**
   * Rows inserted (partials included) and updated in `table`, optionally only of `symbol`
   * (one or several). Deletes are applied silently. A late observer first gets the current rows.
   */
  table$<T extends string>(table: T, symbol?: string | readonly string[]): Observable<RowOf<T>> {
    return this.follow(table, symbol, (live) => ({
      current: live.flatMap((topic) => rowsOf(this.tables.current, table, splitTopic(topic).symbol) as readonly RowOf<T>[]),
      next: this.tables.next$.pipe(tableOf$(table, symbol)),
    }));
  }

  /** Batches `{ table, action, symbol?, rows }` as applied, deletes included; a late observer first gets a synthetic partial. */
  changes$(table: string, symbol?: string | readonly string[]): Observable<Change> {
    return this.follow(table, symbol, (live) => ({
      current: live.map((topic): Change => {
        const sym = splitTopic(topic).symbol;
        const rows = rowsOf(this.tables.current, table, sym);
        return Object.freeze(sym === undefined ? { table, action: 'partial', rows } : { table, action: 'partial', symbol: sym, rows });
      }),
      next: this.tables.next$.pipe(changesOf$(table, symbol)),
    }));
  }

  /**
   * Immutable order-book snapshots `{ symbol, timestamp, bids, asks }` (bids high→low, asks
   * low→high, at most `depth` levels per side), one per frame that changed those levels.
   * @throws TypeError at the call for a bad symbol (empty, `'*'`) or bad options (an unknown name,
   *   a `table` that holds no book, a value of the wrong type).
   */
  book$(symbol: string, options?: BookOptions): Observable<DepthSnapshot> {
    bookSymbol(symbol);
    const { depth = 25, table = 'orderBookL2', group, cumulative, tickSize } = bookOptions(options);
    const view = bookView(symbol, { depth, table, group, cumulative, tickSize });
    // The book view sees the current state first (if its topic is live), then every next one.
    const book = this.follow(table, symbol, (live) => ({
      current: [],
      next: followFrom(live.length > 0 ? [this.tables.current] : [], this.tables.next$).pipe(view),
    }));
    // Grouping checks against the instrument's tick size; totals value contracts by its multiplier.
    const instrument = (group !== undefined && tickSize === undefined) || cumulative === true;
    return instrument ? merge(this.follow('instrument', symbol, () => ({ current: [], next: NEVER })), book) : book;
  }

  /**
   * Sends nothing more (except disarming the dead man's switch), closes the sockets with code
   * 1000 and completes every stream. Resolves once the sockets are closed.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown(undefined);
    return this.closing;
  }

  /**
   * The shape of every stream: observing its topics keeps them subscribed (a refused topic
   * errors the stream); `data` gets the topics whose image is live now and gives what a late
   * observer gets first, then what follows from the states. Every stream completes on close.
   */
  private follow<T>(
    table: string,
    symbol: string | readonly string[] | undefined,
    data: (live: readonly string[]) => { readonly current: readonly T[]; readonly next: Observable<T> },
  ): Observable<T> {
    if (typeof table !== 'string' || table === '' || table.includes(':')) throw new TypeError(`invalid table name ${JSON.stringify(table)}`);
    const symbols = symbolSet(symbol);
    const names = symbols === undefined ? [topicOf(table)] : [...symbols].map((s) => topicOf(table, s));
    return new Observable<T>((subscriber) => {
      if (this.closed) {
        if (this.fatal !== undefined) subscriber.error(this.fatal);
        else subscriber.complete();
        return undefined;
      }
      // A connection that fails while the topics below subscribe (a socket constructor that
      // throws) ends the client before the data is followed: the end must carry its error too.
      const subscription = this.ended.subscribe(() => (this.fatal !== undefined ? subscriber.error(this.fatal) : subscriber.complete()));
      for (const name of names) subscription.add(this.topics.observe(name).subscribe({ error: (e: unknown) => subscriber.error(e) }));
      const { current, next } = data(names.filter((n) => this.topics.isLive(n)));
      // Handed the subscriber itself, the data's teardown goes to it.
      followFrom(current, next).subscribe(subscriber);
      return subscription;
    });
  }

  /**
   * Ends the client: by `close()` (streams complete), or with `fatal` when the connection was lost
   * and reconnecting is off (streams error with it, as bitmex-trio-websocket did).
   */
  private async shutdown(fatal: BitmexError | undefined): Promise<void> {
    this.closed = true;
    this.fatal = fatal;
    this.topics.close();
    // The dead man's switch is disarmed on close(), not when the connection failed.
    const stopping = this.endpoints.stop(fatal === undefined);
    // Streams error with `fatal`, or complete.
    this.tables.end(fatal);
    this.ended.next();
    this.errors.complete();
    await stopping;
  }
}

/**
 * `BitmexWebSocket`: the BitMEX realtime API as RxJS observables.
 * @module
 */
import { Observable, Subject, type Subscriber } from 'rxjs';
import WebSocketDefault from 'isomorphic-ws';
import {
  Connection,
  type ConnectionHandler,
  type ConnectionStatus,
  type WebSocketCtor,
} from './connection';
import { BitmexApiError, BitmexConnectionError, BitmexError, BitmexInconsistencyError } from '../protocol/errors';
import type { BookTable } from '../protocol/tables';
import { splitTopic, topicOf, type DataFrame, type FrameParseError, type Row, type ServerFrame } from '../protocol/frames';
import {
  bookOf,
  clearImage,
  createBookView,
  emptyTables,
  keysOf,
  makeKey,
  reduceTables,
  rowsOf,
  tablesOf,
  type Change,
  type TablesState,
} from '../reducer/reducer';
import type { BookSnapshot } from '../book/l2-book';
import { parseTimestamp } from '../protocol/timestamp';
import type { RowOf } from '../protocol/rows';
import { Subscriptions, type Endpoint } from './topics';
import { resolveOptions, type BitmexWebSocketOptions, type DeadMansSwitchOptions, type ResolvedOptions } from './options';

export { resolveEndpoint, type BitmexWebSocketOptions, type DeadMansSwitchOptions, type Endpointish } from './options';

/** Order-book tables `book$` can follow. */

/** Options of {@link BitmexWebSocket.book$}. */
export interface BookOptions {
  /** Levels per side (default 25). */
  readonly depth?: number;
  /** Source table (default `orderBookL2`). */
  readonly table?: BookTable;
}

/** A read-only live view of the client's tables. */
export interface Storage {
  /** Current rows of a table, optionally of one symbol, in key order. */
  rows<T extends string>(table: T, symbol?: string): readonly RowOf<T>[];
  /** Current order book of a symbol (levels per side up to `depth`, default 25), if one was received. */
  book(symbol: string, options?: BookOptions): BookSnapshot | undefined;
  /** Key columns of a table, once its partial arrived. */
  keys(table: string): readonly string[] | undefined;
  /** Tables that have received a partial. */
  tables(): readonly string[];
  /** The lookup key of a row in its table. */
  makeKey(table: string, row: Row): string;
}

function platformUrlOf(url: string): string {
  const u = new URL(url);
  u.pathname = '/realtimePlatform';
  return u.toString();
}

/** One observer of table changes. */
interface Listener {
  readonly symbols: ReadonlySet<string> | undefined;
  change(change: Change): void;
  readonly subscriber: Subscriber<never> | Subscriber<unknown>;
}

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
  /** Problems that did not stop any stream: malformed frames, inconsistencies (then resynced), stray error frames. */
  readonly errors$: Observable<BitmexError | FrameParseError>;
  /** A read-only live view of the current tables and books. */
  readonly storage: Storage;
  /** The resolved `/realtime` URL. */
  readonly url: string;

  private readonly main: Connection;
  private platform: Connection | undefined;
  private readonly subs: Subscriptions;
  /** Per table; copy-on-write arrays so dispatch needs no iterator and tolerates unsubscribes. */
  private readonly listeners = new Map<string, readonly Listener[]>();
  /** Requested topics per table whose partial has not arrived yet, in request order. */
  private readonly awaitingPartial = new Map<string, string[]>();
  private readonly errorsSubject = new Subject<BitmexError | FrameParseError>();
  private readonly options: ResolvedOptions;
  private state: TablesState;
  private closed = false;
  private fatal: BitmexError | undefined;
  private readyWaiters: { resolve(): void; reject(e: unknown): void }[] = [];
  private dmsTimer: ReturnType<typeof setInterval> | undefined;
  private lastCancelTime: Date | undefined;
  private dms: Required<DeadMansSwitchOptions> | undefined;
  /** Why the live session's authentication failed, if it did. */
  private authError: BitmexApiError | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: BitmexWebSocketOptions = {}) {
    // Every option checked here, at once (a TypeError naming the wrong one); the secret is kept
    // only inside the resolved signing closure.
    const o = resolveOptions(options);
    this.options = o;
    this.url = o.url;
    this.dms = o.deadMansSwitch;
    this.state = emptyTables({
      ...(o.tableKeys !== undefined ? { tableKeys: o.tableKeys } : {}),
      ...(o.maxTableLength !== undefined ? { maxTableLength: o.maxTableLength } : {}),
    });
    this.main = this.makeConnection('main', this.url, o.authArgs);
    this.status$ = this.main.status$.asObservable();
    this.errors$ = this.errorsSubject.asObservable();
    this.subs = new Subscriptions({
      send: (endpoint, request) => {
        const sent = this.connectionOf(endpoint)?.send(request) ?? false;
        if (sent && request.op === 'subscribe' && Array.isArray(request.args)) {
          for (const topic of request.args as string[]) this.expectPartial(topic);
        }
        return sent;
      },
      isReady: (endpoint) => this.connectionOf(endpoint)?.ready ?? false,
      start: (endpoint) => this.startEndpoint(endpoint),
      dropImage: (topic, reason) => this.dropImage(topic, reason),
    });
    this.storage = {
      rows: <T extends string>(table: T, symbol?: string) => rowsOf(this.state, table, symbol) as readonly RowOf<T>[],
      book: (symbol: string, opts: BookOptions = {}) => bookOf(this.state, symbol, opts),
      keys: (table: string) => keysOf(this.state, table),
      tables: () => tablesOf(this.state),
      makeKey: (table: string, row: Row) => makeKey(table, row, keysOf(this.state, table) ?? []),
    };
  }

  /** The trading endpoint's rxjs socket subject (raw frames). Prefer the streams. */
  get ws(): Connection['ws'] {
    return this.main.ws;
  }

  /** `cancelTime` of the last `cancelAllAfter` reply (undefined before one, or once disarmed). */
  get cancelTime(): Date | undefined {
    return this.lastCancelTime;
  }

  /**
   * Opens the connection (if not yet open). Resolves once the welcome frame arrived and
   * authentication, if configured, succeeded; rejects with the reason otherwise.
   */
  connect(): Promise<void> {
    if (this.closed) return Promise.reject(this.fatal ?? new BitmexError('client is closed'));
    if (this.main.ready) {
      return this.authError === undefined ? Promise.resolve() : Promise.reject(this.authError);
    }
    const p = new Promise<void>((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
    this.startEndpoint('main');
    return p;
  }

  /**
   * Rows inserted (partials included) and updated in `table`, optionally only of `symbol`
   * (one or several). Deletes are applied silently. A late observer first gets the current rows.
   */
  table$<T extends string>(table: T, symbol?: string | readonly string[]): Observable<RowOf<T>> {
    return this.follow<RowOf<T>>(table, symbol, (subscriber, symbols) => {
      const emitRows = (rows: readonly Row[]): void => {
        for (const row of rows) subscriber.next(row as RowOf<T>);
      };
      return {
        late: (topic, sym) => {
          if (this.subs.isLive(topic)) emitRows(rowsOf(this.state, table, sym));
        },
        change: (change) => {
          if (change.action !== 'delete') emitRows(change.rows);
        },
        symbols,
      };
    });
  }

  /** Batches `{ table, action, symbol?, rows }` as applied, deletes included; a late observer first gets a synthetic partial. */
  changes$(table: string, symbol?: string | readonly string[]): Observable<Change> {
    return this.follow<Change>(table, symbol, (subscriber, symbols) => ({
      late: (topic, sym) => {
        if (!this.subs.isLive(topic)) return;
        const rows = rowsOf(this.state, table, sym);
        subscriber.next(Object.freeze(sym === undefined ? { table, action: 'partial', rows } : { table, action: 'partial', symbol: sym, rows }));
      },
      change: (change) => subscriber.next(change),
      symbols,
    }));
  }

  /**
   * Immutable order-book snapshots `{ symbol, timestamp, bids, asks }` (bids high→low, asks
   * low→high, at most `depth` levels per side), one per frame that changed those levels.
   */
  book$(symbol: string, options: BookOptions = {}): Observable<BookSnapshot> {
    const table: BookTable = options.table ?? 'orderBookL2';
    const depth = options.depth ?? 25;
    if (!Number.isInteger(depth) || depth <= 0) throw new TypeError('depth must be a positive integer');
    return this.follow<BookSnapshot>(table, symbol, (subscriber, symbols) => {
      const view = createBookView(symbol, { depth, table });
      const emit = (): void => {
        const snapshot = view.next(this.state);
        if (snapshot !== undefined) subscriber.next(snapshot);
      };
      return {
        late: (topic) => {
          if (this.subs.isLive(topic)) emit();
        },
        change: emit,
        symbols,
      };
    });
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
   * Ends the client: by `close()` (streams complete), or with `fatal` when the connection was lost
   * and reconnecting is off (streams error with it, as bitmex-trio-websocket did).
   */
  private async shutdown(fatal: BitmexError | undefined): Promise<void> {
    this.closed = true;
    this.fatal = fatal;
    if (fatal === undefined && this.dmsTimer !== undefined && this.main.ready) this.main.send({ op: 'cancelAllAfter', args: 0 });
    this.stopDeadMansSwitch();
    this.subs.close();
    this.rejectWaiters(fatal ?? new BitmexError('client closed'));
    const stopping = Promise.all([this.main.stop(), this.platform?.stop()]);
    this.finishListeners((l) => (fatal === undefined ? l.subscriber.complete() : l.subscriber.error(fatal)));
    this.errorsSubject.complete();
    await stopping;
    this.main.status$.complete();
  }

  private connectionOf(endpoint: Endpoint): Connection | undefined {
    return endpoint === 'main' ? this.main : this.platform;
  }

  private startEndpoint(endpoint: Endpoint): void {
    if (this.closed) return;
    if (endpoint === 'platform' && this.platform === undefined) {
      // Platform topics are public: that socket needs no authentication.
      this.platform = this.makeConnection('platform', platformUrlOf(this.url), undefined);
    }
    this.connectionOf(endpoint)?.start();
  }

  private makeConnection(endpoint: Endpoint, url: string, authArgs: ResolvedOptions['authArgs']): Connection {
    const o = this.options;
    const handler: ConnectionHandler = {
      ready: (authError) => this.onReady(endpoint, authError),
      frame: (frame) => this.onFrame(endpoint, frame),
      down: (error, retrying) => this.onDown(endpoint, error, retrying),
      malformed: (error) => this.errorsSubject.next(error),
    };
    return new Connection(
      {
        url,
        WebSocketCtor: o.WebSocketCtor ?? (WebSocketDefault as unknown as WebSocketCtor),
        authArgs,
        heartbeat: o.heartbeat,
        reconnect: o.reconnect,
      },
      handler,
    );
  }

  /**
   * The common shape of every stream: take a reference on each topic, deliver the current
   * state to a late observer, then live changes routed by table and symbol.
   */
  private follow<T>(
    table: string,
    symbol: string | readonly string[] | undefined,
    make: (
      subscriber: Subscriber<T>,
      symbols: ReadonlySet<string> | undefined,
    ) => { late(topic: string, symbol: string | undefined): void; change(change: Change): void; symbols: ReadonlySet<string> | undefined },
  ): Observable<T> {
    if (typeof table !== 'string' || table === '' || table.includes(':')) throw new TypeError(`invalid table name ${JSON.stringify(table)}`);
    const symbolList = symbol === undefined ? undefined : typeof symbol === 'string' ? [symbol] : [...symbol];
    if (symbolList !== undefined && (symbolList.length === 0 || symbolList.some((s) => typeof s !== 'string' || s === ''))) {
      throw new TypeError('symbol must be a non-empty string or a non-empty array of them');
    }
    return new Observable<T>((subscriber) => {
      if (this.closed) {
        if (this.fatal !== undefined) subscriber.error(this.fatal);
        else subscriber.complete();
        return undefined;
      }
      const symbols = symbolList === undefined ? undefined : new Set(symbolList);
      const parts = make(subscriber, symbols);
      const listener: Listener = { symbols: parts.symbols, change: parts.change, subscriber };
      this.listeners.set(table, [...(this.listeners.get(table) ?? []), listener]);
      const onError = (error: BitmexError): void => subscriber.error(error);
      const topics = symbolList === undefined ? [topicOf(table)] : symbolList.map((s) => topicOf(table, s));
      const releases = topics.map((topic) => this.subs.acquire(topic, onError));
      for (const topic of topics) {
        if (subscriber.closed) break;
        parts.late(topic, splitTopic(topic).symbol);
      }
      return () => {
        const rest = (this.listeners.get(table) ?? []).filter((l) => l !== listener);
        if (rest.length > 0) this.listeners.set(table, rest);
        else this.listeners.delete(table);
        for (const release of releases) release();
      };
    });
  }

  private onReady(endpoint: Endpoint, authError: BitmexApiError | undefined): void {
    if (endpoint === 'main') {
      this.authError = authError;
      if (authError !== undefined) {
        this.rejectWaiters(authError);
      } else {
        const waiters = this.readyWaiters;
        this.readyWaiters = [];
        for (const w of waiters) w.resolve();
      }
      if (authError === undefined && this.main.authenticated) this.startDeadMansSwitch();
    }
    // Re-authentication happened inside the connection before this point: resubscribe now.
    this.subs.onReady(endpoint, authError);
  }

  private onDown(endpoint: Endpoint, error: BitmexConnectionError, retrying: boolean): void {
    if (endpoint === 'main') {
      this.stopDeadMansSwitch();
      this.rejectWaiters(error);
    }
    this.subs.onDown(endpoint);
    for (const [table, queue] of this.awaitingPartial) {
      const kept = queue.filter((t) => this.subs.endpointOf(t) !== endpoint);
      if (kept.length > 0) this.awaitingPartial.set(table, kept);
      else this.awaitingPartial.delete(table);
    }
    if (!retrying) this.closing ??= this.shutdown(error);
  }

  private onFrame(endpoint: Endpoint, frame: ServerFrame): void {
    switch (frame.kind) {
      case 'table':
        this.onTable(frame);
        return;
      case 'subscribed':
        this.subs.onSubscribed(frame.subscribe);
        return;
      case 'unsubscribed':
        this.subs.onUnsubscribed(frame.unsubscribe);
        this.forgetPartial(frame.unsubscribe);
        return;
      case 'error': {
        const delivered = this.subs.onError(endpoint, frame);
        for (const topic of delivered) this.forgetPartial(topic);
        if (delivered.length === 0) {
          this.errorsSubject.next(new BitmexApiError(frame.status, frame.error, frame.meta, frame.request));
        }
        return;
      }
      case 'cancelAllAfter': {
        const t = frame.cancelTime === undefined ? NaN : Date.parse(frame.cancelTime);
        this.lastCancelTime = Number.isFinite(t) && t > 0 ? new Date(t) : undefined;
        return;
      }
      case 'welcome':
      case 'authenticated':
      case 'pong':
        return;
      default: {
        const unreachable: never = frame;
        return unreachable;
      }
    }
  }

  private onTable(frame: DataFrame): void {
    const state = reduceTables(this.state, frame.action === 'partial' ? this.withFilter(frame) : frame);
    this.state = state;
    const listeners = this.listeners.get(frame.table);
    if (listeners !== undefined) {
      const changes = state.changes;
      for (let c = 0; c < changes.length; c++) {
        const change = changes[c] as Change;
        for (let i = 0; i < listeners.length; i++) {
          const l = listeners[i] as Listener;
          if (l.subscriber.closed) continue;
          if (l.symbols === undefined || (change.symbol !== undefined && l.symbols.has(change.symbol))) l.change(change);
        }
      }
    }
    for (const inc of state.inconsistencies) {
      const topic = this.subs.covering(inc.table, inc.symbol);
      this.errorsSubject.next(
        new BitmexInconsistencyError(inc.table, topic ?? topicOf(inc.table, inc.symbol), `${inc.action} for an unknown row ${inc.key} in ${inc.table}; resubscribing`),
      );
      if (topic !== undefined) this.subs.resync(topic);
    }
  }

  /**
   * A partial belongs to the oldest requested topic of its table still waiting for one (the one
   * its filter or rows name, if any). When a server leaves out `filter`, that topic's symbol
   * supplies it, so one symbol's partial never wipes another symbol's image — whether the
   * partial comes after its success frame, as on BitMEX, or before it.
   */
  private withFilter(frame: DataFrame & { action: 'partial' }): DataFrame {
    const queue = this.awaitingPartial.get(frame.table);
    if (queue === undefined || queue.length === 0) return frame;
    if (frame.filter !== undefined) {
      const symbol = frame.filter.symbol;
      this.forgetPartial(typeof symbol === 'string' ? topicOf(frame.table, symbol) : frame.table);
      return frame;
    }
    const named = frame.data[0]?.symbol;
    let i = typeof named === 'string' ? queue.findIndex((t) => splitTopic(t).symbol === named) : -1;
    if (i < 0) i = 0;
    const [topic] = queue.splice(i, 1);
    if (queue.length === 0) this.awaitingPartial.delete(frame.table);
    const symbol = topic === undefined ? undefined : splitTopic(topic).symbol;
    return symbol === undefined ? frame : { ...frame, filter: { symbol } };
  }

  private expectPartial(topic: string): void {
    const { table } = splitTopic(topic);
    const queue = this.awaitingPartial.get(table);
    if (queue === undefined) this.awaitingPartial.set(table, [topic]);
    else if (!queue.includes(topic)) queue.push(topic);
  }

  private forgetPartial(topic: string): void {
    const { table } = splitTopic(topic);
    const queue = this.awaitingPartial.get(table);
    const i = queue?.indexOf(topic) ?? -1;
    if (queue !== undefined && i >= 0) {
      queue.splice(i, 1);
      if (queue.length === 0) this.awaitingPartial.delete(table);
    }
  }

  private dropImage(topic: string, reason: 'released' | 'resync' | 'disconnected'): void {
    const { table, symbol } = splitTopic(topic);
    if (reason === 'released') {
      // Rows another observed topic still feeds must stay: a symbol's rows while the whole table
      // is observed, or any rows while other symbols of an unfiltered topic are.
      const others = this.subs.observed().filter((t) => t !== topic && splitTopic(t).table === table);
      if (symbol === undefined ? others.length > 0 : others.includes(table)) return;
    }
    this.state = clearImage(this.state, table, symbol === undefined ? {} : { symbol });
  }

  private startDeadMansSwitch(): void {
    const dms = this.dms;
    if (dms === undefined) return;
    this.stopDeadMansSwitch();
    const arm = (): void => {
      this.main.send({ op: 'cancelAllAfter', args: dms.timeoutMs });
    };
    arm();
    this.dmsTimer = setInterval(arm, dms.intervalMs);
  }

  private stopDeadMansSwitch(): void {
    if (this.dmsTimer !== undefined) clearInterval(this.dmsTimer);
    this.dmsTimer = undefined;
  }

  private rejectWaiters(error: unknown): void {
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w.reject(error);
  }

  private finishListeners(finish: (l: Listener) => void): void {
    const all = [...this.listeners.values()].flat();
    this.listeners.clear();
    for (const l of all) finish(l);
  }
}

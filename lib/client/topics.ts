/**
 * Reference-counted topics. Each topic is subscribed on the server when its first observer
 * arrives and unsubscribed when its last leaves; the wanted set is reconciled with the server's
 * set in one microtask, so topics asked for in the same tick share one request.
 * @module
 */
import { BitmexApiError, type BitmexError } from '../protocol/errors';
import { splitTopic, type ErrorFrame, type Request } from '../protocol/frames';
import { PLATFORM_TABLES, PRIVATE_TABLES } from '../protocol/tables';
import { backoffDelay } from './connection';

/** Which connection a topic lives on. */
export type Endpoint = 'main' | 'platform';

/** What the topic registry needs from its owner. */
export interface SubscriptionLink {
  /** Sends on that endpoint's socket; false (nothing sent) when it is not ready. */
  send(endpoint: Endpoint, request: Request): boolean;
  /** Whether that endpoint's socket is open, welcomed and authenticated (if configured). */
  isReady(endpoint: Endpoint): boolean;
  /** Opens that endpoint's connection if it is not already opening. */
  start(endpoint: Endpoint): void;
  /** The local image of a topic must be forgotten (it is being replaced or abandoned). */
  dropImage(topic: string, reason: 'released' | 'resync' | 'disconnected'): void;
}

/** Server-side state of a topic as far as this client knows. */
type ServerState = 'none' | 'subscribing' | 'subscribed' | 'unsubscribing';

interface Topic {
  readonly name: string;
  readonly table: string;
  readonly endpoint: Endpoint;
  refs: number;
  server: ServerState;
  /** Error callbacks of the observers currently holding this topic. */
  readonly sinks: Set<(error: BitmexError) => void>;
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  retries: number;
  /** A resync waiting out its backoff. */
  resyncTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the last resync was sent, and how many came in a row, to back off a server that keeps contradicting itself. */
  lastResyncAt: number;
  resyncs: number;
}

const RETRY_INITIAL_MS = 1000;
const RETRY_MAX_MS = 30000;
/** Resyncs of one topic closer together than this count as a streak and back off. */
const RESYNC_WINDOW_MS = 10000;

/** Splits an error text into words that may name a topic or table. */
function wordsOf(text: string): Set<string> {
  const words = new Set<string>();
  for (const w of text.match(/[A-Za-z0-9_:.*-]+/g) ?? []) {
    words.add(w);
    words.add(w.replace(/\.+$/, ''));
  }
  return words;
}

function argsOf(request: Request | undefined): string[] {
  const args = request?.args;
  if (Array.isArray(args)) return args.filter((a): a is string => typeof a === 'string');
  return typeof args === 'string' ? [args] : [];
}

/** The topic registry of one client (both endpoints). */
export class Subscriptions {
  private readonly topics = new Map<string, Topic>();
  private readonly link: SubscriptionLink;
  private flushQueued = false;
  private closed = false;
  /** Auth failure of the live main session: private topics get it instead of a subscribe. */
  private authError: BitmexApiError | undefined;

  constructor(link: SubscriptionLink) {
    this.link = link;
  }

  /** Takes a reference on a topic; returns the release function (idempotent). */
  acquire(name: string, onError: (error: BitmexError) => void): () => void {
    const endpoint = this.endpointOf(name);
    let topic = this.topics.get(name);
    if (topic === undefined) {
      topic = {
        name,
        table: splitTopic(name).table,
        endpoint,
        refs: 0,
        server: 'none',
        sinks: new Set(),
        retryTimer: undefined,
        retries: 0,
        resyncTimer: undefined,
        lastResyncAt: -Infinity,
        resyncs: 0,
      };
      this.topics.set(name, topic);
    }
    const t = topic;
    t.refs++;
    t.sinks.add(onError);
    this.link.start(endpoint);
    this.schedule();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      t.sinks.delete(onError);
      t.refs--;
      if (t.refs === 0 && !this.closed) {
        if (t.resyncTimer !== undefined) clearTimeout(t.resyncTimer);
        t.resyncTimer = undefined;
        this.link.dropImage(t.name, 'released');
        this.schedule();
      }
    };
  }

  /** The connection a topic belongs to. */
  endpointOf(name: string): Endpoint {
    return PLATFORM_TABLES.has(splitTopic(name).table) ? 'platform' : 'main';
  }

  /** Whether the server confirmed this topic on the live socket. */
  isLive(name: string): boolean {
    return this.topics.get(name)?.server === 'subscribed';
  }

  /** Names of the topics that currently have observers. */
  observed(): string[] {
    return [...this.topics.values()].filter((t) => t.refs > 0).map((t) => t.name);
  }

  /** The observed topic whose image holds rows of `table` (and `symbol`), preferring the narrowest. */
  covering(table: string, symbol: string | undefined): string | undefined {
    if (symbol !== undefined) {
      const exact = this.topics.get(`${table}:${symbol}`);
      if (exact !== undefined && exact.refs > 0) return exact.name;
    }
    const whole = this.topics.get(table);
    return whole !== undefined && whole.refs > 0 ? whole.name : undefined;
  }

  /**
   * Gets a fresh partial for a topic whose image went wrong: unsubscribe, then subscribe. The
   * image is dropped at once (later deltas are skipped); repeated resyncs within a short time
   * back off, so a server that keeps contradicting itself is not flooded with requests.
   */
  resync(name: string): boolean {
    const t = this.topics.get(name);
    if (t === undefined || t.refs === 0 || t.server !== 'subscribed' || t.resyncTimer !== undefined) return false;
    if (!this.link.isReady(t.endpoint)) return false;
    this.link.dropImage(name, 'resync');
    t.resyncs = Date.now() - t.lastResyncAt < RESYNC_WINDOW_MS ? t.resyncs + 1 : 0;
    const go = (): void => {
      t.resyncTimer = undefined;
      if (this.closed || t.refs === 0 || t.server !== 'subscribed' || !this.link.isReady(t.endpoint)) return;
      t.lastResyncAt = Date.now();
      t.server = 'unsubscribing';
      this.link.send(t.endpoint, { op: 'unsubscribe', args: [name] });
    };
    if (t.resyncs === 0) go();
    else t.resyncTimer = setTimeout(go, backoffDelay(t.resyncs - 1, RETRY_INITIAL_MS, RETRY_MAX_MS));
    return true;
  }

  /** A connection became ready: everything still observed there is subscribed again, in one request. */
  onReady(endpoint: Endpoint, authError?: BitmexApiError): void {
    // A failed authentication fails the private topics in flush(), the one place that decides.
    if (endpoint === 'main') this.authError = authError;
    this.flush();
  }

  /** A connection went down: the server forgot every topic there, and the images are stale. */
  onDown(endpoint: Endpoint): void {
    for (const t of [...this.topics.values()]) {
      if (t.endpoint !== endpoint) continue;
      this.clearRetry(t);
      if (t.server !== 'none') this.link.dropImage(t.name, 'disconnected');
      t.server = 'none';
      this.forgetIfIdle(t);
    }
  }

  /** Handles a subscribe success reply. */
  onSubscribed(name: string): void {
    const t = this.topics.get(name);
    if (t === undefined) return;
    t.server = 'subscribed';
    t.retries = 0;
    if (t.refs === 0) this.schedule();
  }

  /** Handles an unsubscribe success reply. */
  onUnsubscribed(name: string): void {
    const t = this.topics.get(name);
    if (t === undefined) return;
    t.server = 'none';
    if (t.refs > 0) this.schedule();
    else this.forgetIfIdle(t);
  }

  /**
   * Routes an error frame answering a subscribe or unsubscribe. Returns the topics it was
   * delivered to (empty when it concerned no observed topic).
   */
  onError(endpoint: Endpoint, frame: ErrorFrame): string[] {
    const op = frame.request?.op;
    if (op !== 'subscribe' && op !== 'unsubscribe') return [];
    const requested = argsOf(frame.request)
      .map((a) => this.topics.get(a))
      .filter((t): t is Topic => t !== undefined && t.endpoint === endpoint);
    if (op === 'unsubscribe') {
      // The server does not have it: either way it is gone there.
      for (const t of requested) {
        if (t.server === 'unsubscribing') this.onUnsubscribed(t.name);
      }
      return [];
    }
    // BitMEX answers a multi-topic subscribe topic by topic, each reply repeating the whole
    // request: the error belongs to the topic it names, else to the ones still unconfirmed.
    const words = wordsOf(frame.error);
    let targets = requested.filter((t) => t.server === 'subscribing' && (words.has(t.name) || words.has(t.table)));
    if (targets.length === 0) {
      targets = requested.filter((t) => t.server === 'subscribing');
      if (frame.status === 401 && targets.some((t) => PRIVATE_TABLES.has(t.table))) {
        targets = targets.filter((t) => PRIVATE_TABLES.has(t.table));
      }
    }
    for (const t of targets) {
      t.server = 'none';
      if (frame.status === 429 || frame.status === 503) {
        const retryAfter = Number(frame.meta?.retryAfter);
        const delay = frame.status === 429 && Number.isFinite(retryAfter) && retryAfter > 0
          ? retryAfter * 1000
          : backoffDelay(t.retries, RETRY_INITIAL_MS, RETRY_MAX_MS);
        t.retries++;
        this.clearRetry(t);
        t.retryTimer = setTimeout(() => {
          t.retryTimer = undefined;
          this.schedule();
        }, delay);
      } else {
        this.fail(t, new BitmexApiError(frame.status, frame.error, frame.meta, frame.request));
      }
    }
    return targets.map((t) => t.name);
  }

  /** Stops everything: no further request is sent. */
  close(): void {
    this.closed = true;
    for (const t of this.topics.values()) this.clearRetry(t);
  }

  private fail(t: Topic, error: BitmexError): void {
    t.server = 'none';
    this.clearRetry(t);
    for (const sink of [...t.sinks]) sink(error);
    this.forgetIfIdle(t);
  }

  private schedule(): void {
    if (this.flushQueued || this.closed) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  /** Sends what it takes to make the server's topic set match the observed set. */
  private flush(): void {
    if (this.closed) return;
    const subscribe: Record<Endpoint, string[]> = { main: [], platform: [] };
    const unsubscribe: Record<Endpoint, string[]> = { main: [], platform: [] };
    for (const t of [...this.topics.values()]) {
      if (!this.link.isReady(t.endpoint)) {
        this.forgetIfIdle(t);
        continue;
      }
      if (t.refs > 0 && t.server === 'none' && t.retryTimer === undefined) {
        if (t.endpoint === 'main' && this.authError !== undefined && PRIVATE_TABLES.has(t.table)) {
          this.fail(t, this.authError);
          continue;
        }
        t.server = 'subscribing';
        subscribe[t.endpoint].push(t.name);
      } else if (t.refs === 0 && (t.server === 'subscribed' || t.server === 'subscribing')) {
        t.server = 'unsubscribing';
        unsubscribe[t.endpoint].push(t.name);
      } else {
        this.forgetIfIdle(t);
      }
    }
    for (const endpoint of ['main', 'platform'] as const) {
      if (unsubscribe[endpoint].length > 0) this.link.send(endpoint, { op: 'unsubscribe', args: unsubscribe[endpoint] });
      if (subscribe[endpoint].length > 0) this.link.send(endpoint, { op: 'subscribe', args: subscribe[endpoint] });
    }
  }

  private clearRetry(t: Topic): void {
    if (t.retryTimer !== undefined) clearTimeout(t.retryTimer);
    if (t.resyncTimer !== undefined) clearTimeout(t.resyncTimer);
    t.retryTimer = t.resyncTimer = undefined;
  }

  private forgetIfIdle(t: Topic): void {
    if (t.refs === 0 && t.server === 'none' && t.retryTimer === undefined) this.topics.delete(t.name);
  }
}

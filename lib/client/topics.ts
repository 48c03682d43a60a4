/**
 * Topics (`table` or `table:SYMBOL`) and their images. {@link Topics.observe} is shared with
 * rxjs's `share`: the first observer of a topic makes it wanted, the last one's leaving makes it
 * unwanted. What is wanted is reconciled with the server in one microtask, so topics asked for
 * in the same tick share one request. Each topic owns the image its partial brings: frames of a
 * table pass {@link Topics.admit} only for rows some observed topic has a live image for.
 * @module
 */
import { Observable, share, type Subscriber } from 'rxjs';
import { BitmexInconsistencyError, type BitmexApiError, type BitmexError } from '../protocol/errors';
import type { DataFrame, ErrorFrame } from '../protocol/frames';
import { PRIVATE_TABLES } from '../protocol/tables';
import { watchAnswers, type AnswerWatch } from './answer-watch';
import { backoffDelay } from './backoff';
import { apiError, isRetryable, namedOrAll, refusedTopics, RETRY_INITIAL_MS, RETRY_MAX_MS, retryPlan, topicsOf } from './refusals';
import type { Session } from './session';
import { retryTimer } from './retry-timer';
import { Timers } from './timers';
import type { TopicsLink } from './topics-link';
import { unsubscribeRepeats } from './unsubscribe-repeats';
import { admitFrame, fedOnlyBy, feederOf, isCovered, newTopic, strayPartial, type Endpoint, type TableTopics, type Topic } from './topic-images';

/** Resyncs of one topic closer together than this count as a streak and back off. */
const RESYNC_WINDOW_MS = 10000;

/** The topic registry of one client (both endpoints). */
export class Topics {
  private readonly topics = new Map<string, Topic>();
  private readonly shared = new Map<string, Observable<never>>();
  private readonly tables = new Map<string, TableTopics>();
  private flushQueued = false;
  private awaitSeq = 0;
  /** Every timer of the topics (retries, resyncs, answer watches): close() stops them all. */
  private readonly timers = new Timers();
  /** Refused unsubscribes, asked again later. */
  private readonly repeats = unsubscribeRepeats(this.timers, () => this.flush());
  /** When refused subscribes go out again. */
  private readonly retryAt = retryTimer(this.timers, () => this.flush());
  /** Watches each subscribe (its partial) and unsubscribe for an answer in time. */
  private readonly watch: AnswerWatch;
  private closed = false;
  /** Auth failure of the live main session: private topics get it instead of a subscribe. */
  private authError: BitmexApiError | undefined;

  constructor(private readonly link: TopicsLink) {
    this.watch = watchAnswers(this.timers, link, this.topics);
  }

  /**
   * Observing it keeps the topic subscribed on the server; it never emits, and errors when the
   * server refuses the topic.
   */
  observe(name: string): Observable<never> {
    let topic$ = this.shared.get(name);
    if (topic$ === undefined) {
      topic$ = new Observable<never>((subscriber) => {
        this.want(name, subscriber);
        return () => this.unwant(name, subscriber);
      }).pipe(share({ resetOnRefCountZero: true, resetOnError: true, resetOnComplete: true }));
      this.shared.set(name, topic$);
    }
    return topic$;
  }

  /**
   * Whether the topic's rows are live: its own partial arrived on the current socket, or (a
   * symbol's topic) its whole table's, which serves it while observed.
   */
  isLive(name: string): boolean {
    const t = this.topics.get(name);
    if (t === undefined) return false;
    return t.image === 'live' || (t.symbol !== undefined && this.tables.get(t.table)?.whole?.image === 'live');
  }

  /** The observed topic feeding rows of `table` (and `symbol`): the whole table's once live, else the symbol's own, else the whole's. */
  covering(table: string, symbol: string | undefined): string | undefined {
    const t = this.tables.get(table);
    return t === undefined ? undefined : feederOf(t, symbol)?.name;
  }

  /**
   * The part of a table frame the observed topics' images take: a partial goes to the topic
   * awaiting it (given that topic's filter when the server left it out); delta rows pass only
   * where their symbol's topic, or else the whole table's, is live. Undefined: nothing passes.
   * Allocates only when some rows are held back.
   */
  admit(frame: DataFrame): DataFrame | undefined {
    const t = this.tables.get(frame.table);
    const admitted = t === undefined ? undefined : admitFrame(t, frame);
    // A partial no topic took may be for a symbol none asked for: said at once, not left to the timeout.
    const stray = admitted === undefined ? strayPartial(t, frame, (name) => this.topics.has(name)) : undefined;
    if (stray !== undefined) this.link.report(stray);
    return admitted;
  }

  /**
   * Gets a fresh partial for a topic whose image went wrong: drops what it feeds (its deltas
   * are held back until the partial), then unsubscribes and subscribes it. Repeated resyncs
   * within a short time back off, so a server that keeps contradicting itself is not flooded.
   */
  resync(name: string): boolean {
    const t = this.topics.get(name);
    if (t === undefined || t.observer === undefined || t.server !== 'subscribed' || t.resyncTimer !== undefined) return false;
    if (this.link.session(t.endpoint) === undefined) return false;
    this.dropFed(t);
    t.image = 'awaiting';
    t.awaitSeq = ++this.awaitSeq;
    t.resyncs = Date.now() - t.lastResyncAt < RESYNC_WINDOW_MS ? t.resyncs + 1 : 0;
    const go = (): void => {
      t.resyncTimer = undefined;
      const session = this.link.session(t.endpoint);
      if (this.closed || t.observer === undefined || t.server !== 'subscribed' || session === undefined) return;
      t.lastResyncAt = Date.now();
      t.server = 'unsubscribing';
      session.send({ op: 'unsubscribe', args: [name] });
      this.watch(t.endpoint, [name], true);
    };
    if (t.resyncs === 0) go();
    else t.resyncTimer = this.timers.after(backoffDelay(t.resyncs - 1, RETRY_INITIAL_MS, RETRY_MAX_MS), go);
    return true;
  }

  /**
   * A frame of `table` could not be used (it may have been a delta): each live image of the table
   * gets a fresh partial. One awaiting its partial is left to its timeout: no delta applies to it.
   */
  resyncTable(table: string): void {
    const t = this.tables.get(table);
    for (const topic of t === undefined ? [] : [t.whole, ...t.bySymbol.values()]) if (topic?.image === 'live') this.resync(topic.name);
  }

  /** A session became ready: everything observed there is subscribed, in one request. */
  onReady(endpoint: Endpoint, session: Session): void {
    // A failed authentication fails the private topics in flush(), the one place that decides.
    if (endpoint === 'main') this.authError = session.authError;
    this.flush();
  }

  /**
   * A socket went down: the server forgot every topic there, and their images are stale. The next
   * socket is a new session: no repeat of the old one's refusals, and their backoff starts afresh.
   */
  onDown(endpoint: Endpoint): void {
    this.repeats.drop(endpoint);
    const tables = new Set<string>();
    for (const t of [...this.topics.values()]) {
      if (t.endpoint !== endpoint) continue;
      this.timers.cancel(t.resyncTimer);
      t.resyncTimer = undefined;
      t.retryAt = 0;
      t.retries = 0;
      t.server = 'none';
      t.image = 'none';
      tables.add(t.table);
      this.forgetIfIdle(t);
    }
    for (const table of tables) this.link.drop(table, {});
  }

  /** A subscribe success reply. One for a topic already being unsubscribed changes nothing. */
  onSubscribed(name: string): void {
    const t = this.topics.get(name);
    if (t === undefined || t.server === 'unsubscribing') return;
    // A 429/503 that named no topic was taken for every unconfirmed one; the server's success
    // says this one did get through, and its partial follows: take it, not the retry (watched:
    // a stray success whose partial never came left the topic waiting for good).
    if (t.server === 'none' && t.retryAt > 0 && t.observer !== undefined) {
      t.retryAt = 0;
      t.image = 'awaiting';
      t.awaitSeq = ++this.awaitSeq;
      this.watch(t.endpoint, [name]);
    }
    t.server = 'subscribed';
    t.retries = 0;
    // Unobserved meanwhile, it goes; taken back from a refusal, it covers its symbols again (rows came twice).
    this.schedule();
  }

  /** An unsubscribe success reply. */
  onUnsubscribed(name: string): void {
    const t = this.topics.get(name);
    if (t === undefined) return;
    // Never asked (a live topic): whether the server still streams it is unknown; a fresh subscription settles it.
    if (t.server !== 'unsubscribing') {
      if (this.resync(name)) this.link.report(new BitmexInconsistencyError(t.table, name, `unasked unsubscribe of ${name}; resubscribing`));
      return;
    }
    t.server = 'none';
    t.retries = 0;
    // A subscribe held back for this answer may go now (see flush).
    this.schedule();
    if (t.observer === undefined) return this.forgetIfIdle(t);
    // Covered: its rows now come through the whole table's image (nothing to drop).
    if (isCovered(this.tables.get(t.table), t)) t.image = 'none';
  }

  /**
   * Routes an error frame answering a subscribe or unsubscribe. Returns whether it concerned
   * some observed topic (else the caller reports it). A 429/5xx is reported once per refused
   * request, with when it is retried: BitMEX answers each topic of a request, and the answers
   * after the first that find no topic still unconfirmed are that same refusal.
   */
  onError(endpoint: Endpoint, frame: ErrorFrame): boolean {
    const op = frame.request?.op;
    if (op !== 'subscribe' && op !== 'unsubscribe') return false;
    const requested = topicsOf(frame.request)
      .map((a) => this.topics.get(a))
      .filter((t): t is Topic => t !== undefined && t.endpoint === endpoint);
    const retryable = isRetryable(frame);
    if (op === 'unsubscribe') {
      const pending = namedOrAll(frame, requested.filter((t) => t.server === 'unsubscribing' && !this.repeats.has(t)));
      // Refused: the server still streams it, so it stays unsubscribing (nothing overlapping is subscribed
      // meanwhile) and is asked again as a refused subscribe is: when the server says, else after the backoff.
      // Reported once: its further answers, one per topic, find it waiting. Else it is gone there: "not
      // subscribed" (its subscribe refused meanwhile) is wanted.
      if (!retryable) {
        for (const t of pending) this.onUnsubscribed(t.name);
        return pending.length > 0 && /not subscribed/i.test(frame.error);
      }
      if (pending.length < 1) return requested.some((t) => this.repeats.has(t));
      // (A new awaitSeq: the first request's watch is over, the repeated one gets its own.)
      const { delay, retries } = retryPlan(frame, Math.max(...pending.map((t) => t.retries)));
      for (const t of pending) {
        t.retries = retries;
        t.awaitSeq = ++this.awaitSeq;
      }
      this.repeats.after(delay, pending);
      this.link.report(apiError(frame, Math.round(delay)));
      return true;
    }
    const targets = refusedTopics(frame, requested);
    if (targets.length === 0) return retryable && requested.some((t) => t.observer !== undefined && t.server === 'none' && t.retryAt > 0);
    if (retryable) {
      // One retry for every topic the refusal covers, so they go out again in one request.
      const { delay, retries } = retryPlan(frame, Math.max(...targets.map((t) => t.retries)));
      const at = Date.now() + delay;
      for (const t of targets) (t.server = 'none'), (t.image = 'none'), (t.retries = retries), (t.retryAt = at);
      this.retryAt(at, delay);
      // A whole table waiting out the refusal covers no symbol meanwhile: those subscribe their own.
      this.schedule();
      this.link.report(apiError(frame, Math.round(delay)));
    } else if (/already subscribed/i.test(frame.error)) {
      // Streamed without a partial: a resync fetches one (backing off); flush() unsubscribes the unobserved.
      for (const t of targets) {
        t.server = 'subscribed';
        if (!this.resync(t.name)) t.image = 'none';
      }
      this.schedule();
      this.link.report(apiError(frame));
    } else for (const t of targets) this.fail(t, apiError(frame));
    return true;
  }

  /** Stops everything: no further request is sent, no image dropped. */
  close(): void {
    this.closed = true;
    this.timers.clear();
  }

  private want(name: string, observer: Subscriber<never>): void {
    let t = this.topics.get(name);
    if (t === undefined) this.topics.set(name, (t = newTopic(name)));
    t.observer = observer;
    if (t.server === 'subscribing' && t.image === 'none') {
      // Left and observed again before its partial came: that partial is still on its way.
      t.image = 'awaiting';
      t.awaitSeq = ++this.awaitSeq;
    }
    let tt = this.tables.get(t.table);
    if (tt === undefined) this.tables.set(t.table, (tt = { whole: undefined, bySymbol: new Map(), lost: (e) => (this.link.report(e), this.resyncTable(t.table)) }));
    if (t.symbol === undefined) tt.whole = t;
    else tt.bySymbol.set(t.symbol, t);
    this.link.start(t.endpoint);
    this.schedule();
  }

  private unwant(name: string, observer: Subscriber<never>): void {
    const t = this.topics.get(name);
    if (t === undefined || t.observer !== observer) return;
    t.observer = undefined;
    this.timers.cancel(t.resyncTimer);
    t.resyncTimer = undefined;
    const fed = t.image !== 'none';
    t.image = 'none';
    t.retryAt = 0;
    const tt = this.tables.get(t.table);
    if (tt !== undefined) {
      if (t.symbol === undefined) tt.whole = undefined;
      else tt.bySymbol.delete(t.symbol);
      if (tt.whole === undefined && tt.bySymbol.size === 0) this.tables.delete(t.table);
    }
    if (this.closed) return;
    // The last topic of its table leaving takes every row along (also those a covering whole
    // table left for a symbol whose own subscribe then failed).
    if (fed || t.server !== 'none' || !this.tables.has(t.table)) this.dropFed(t, true);
    this.schedule();
  }

  /** Forgets the rows only `t` feeds (see {@link fedOnlyBy}): `leaving`, or resyncing. */
  private dropFed(t: Topic, leaving = false): void {
    for (const filter of fedOnlyBy(this.tables.get(t.table), t, () => this.link.symbolsOf(t.table), leaving)) this.link.drop(t.table, filter);
  }

  private fail(t: Topic, error: BitmexError): void {
    t.server = 'none';
    t.image = 'none';
    t.retryAt = 0;
    const observer = t.observer;
    this.forgetIfIdle(t);
    observer?.error(error);
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
    const now = Date.now();
    const subscribe: Record<Endpoint, string[]> = { main: [], platform: [] };
    const unsubscribe: Record<Endpoint, string[]> = { main: [], platform: [] };
    let nextRetry = Infinity;
    const all = [...this.topics.values()];
    const fresh: Topic[] = [];
    // A whole table's retry that is due goes out now, so it covers its symbols' topics already.
    // (A timer may fire a little early; within a few ms counts as due.)
    for (const t of all) if (t.symbol === undefined && t.retryAt > 0 && t.retryAt <= now + 5) t.retryAt = 0;
    for (const t of all) {
      if (this.link.session(t.endpoint) === undefined) {
        this.forgetIfIdle(t);
        continue;
      }
      const covered = t.observer !== undefined && isCovered(this.tables.get(t.table), t);
      if (covered) {
        // Served by its whole table's subscription: hold none of its own (else each delta came twice).
        if (t.server === 'subscribed' || t.server === 'subscribing') {
          t.server = 'unsubscribing';
          unsubscribe[t.endpoint].push(t.name);
        }
      } else if (t.observer !== undefined && t.server === 'none') {
        if (t.retryAt > now + 5) {
          nextRetry = Math.min(nextRetry, t.retryAt);
          continue;
        }
        if (t.endpoint === 'main' && this.authError !== undefined && PRIVATE_TABLES.has(t.table)) {
          this.fail(t, this.authError);
          continue;
        }
        fresh.push(t);
      } else if (t.observer !== undefined && t.server === 'subscribed' && t.image === 'none') {
        // Left and observed again within one tick: its image was dropped, so get a fresh partial.
        t.server = 'unsubscribing';
        unsubscribe[t.endpoint].push(t.name);
      } else if (t.observer === undefined && (t.server === 'subscribed' || t.server === 'subscribing')) {
        t.server = 'unsubscribing';
        unsubscribe[t.endpoint].push(t.name);
      } else {
        this.forgetIfIdle(t);
      }
    }
    // Not while a subscription with the same rows is being unsubscribed: a server that still
    // streams it until it answers would send each row twice (trades twice, deletes of rows gone).
    for (const t of fresh) {
      if (all.some((u) => u.server === 'unsubscribing' && u.table === t.table && u.endpoint === t.endpoint && (u.symbol === undefined || t.symbol === undefined || u.symbol === t.symbol))) continue;
      t.retryAt = 0;
      t.server = 'subscribing';
      t.image = 'awaiting';
      t.awaitSeq = ++this.awaitSeq;
      subscribe[t.endpoint].push(t.name);
    }
    if (nextRetry < Infinity) this.retryAt(nextRetry, Math.max(0, nextRetry - now));
    for (const endpoint of ['main', 'platform'] as const) {
      const session = this.link.session(endpoint);
      if (session === undefined) continue;
      if (unsubscribe[endpoint].length > 0) {
        session.send({ op: 'unsubscribe', args: unsubscribe[endpoint] });
        // An answer never coming would hold back what overlaps it for good.
        this.watch(endpoint, unsubscribe[endpoint], true);
      }
      if (subscribe[endpoint].length > 0) {
        session.send({ op: 'subscribe', args: subscribe[endpoint] });
        this.watch(endpoint, subscribe[endpoint]);
      }
    }
  }

  private forgetIfIdle(t: Topic): void {
    if (t.observer === undefined && t.server === 'none') this.topics.delete(t.name);
  }
}


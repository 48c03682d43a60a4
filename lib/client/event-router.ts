/**
 * Where each session event of an endpoint goes: a table frame through the topics' admission
 * (./topics) into the reducer states (./table-states), and to `latency$` while it is observed;
 * subscribe and unsubscribe replies, refusals, `ready` and `down` to the topics; malformed frames
 * (their table resynced, when they name one) and error frames no topic claims to `errors$`.
 * @module
 */
import type { Subject } from 'rxjs';
import type { BitmexError } from '../protocol/errors';
import type { FrameParseError, TableFrame } from '../protocol/frames';
import { stampedWhenSent } from '../protocol/tables';
import { timestampMs } from '../protocol/timestamp';
import type { ClockEstimator } from './clock';
import type { SessionEvent } from './session';
import { apiError } from './refusals';
import type { TableStates } from './table-states';
import type { Endpoint } from './topic-images';
import type { Topics } from './topics';

/**
 * Least time between two row stamps read for the clock. A few a second keep its bound fresh; read
 * by traffic alone (every 16th frame), thousands of frames a second made the stamp parsing and
 * estimate updates hot code of their own.
 */
const CLOCK_SAMPLE_MS = 250;

/** Routes the session events of both endpoints of one client. */
export class EventRouter {
  private tableFrames = 0;
  private clockSampledAt = -Infinity;

  constructor(
    private readonly topics: Topics,
    private readonly tables: TableStates,
    /** Admitted table frames, for `latency$` (fed only while it is observed). */
    private readonly arrivals: Subject<TableFrame>,
    private readonly clock: ClockEstimator,
    private readonly report: (error: BitmexError | FrameParseError) => void,
  ) {}

  /** One session event of an endpoint: table frames to the reducer (through the topics), the rest to whom it concerns. */
  route(endpoint: Endpoint, e: SessionEvent): void {
    switch (e.kind) {
      case 'table': {
        // Every 16th frame's stamp may bound the clock offset (no clock read on the others).
        if ((++this.tableFrames & 15) === 0 && e.action !== 'partial') this.sampleClock(e);
        const admitted = this.topics.admit(e);
        if (admitted === undefined) return;
        if (this.arrivals.observed) this.arrivals.next(admitted);
        this.tables.feed(admitted);
        return;
      }
      case 'ready':
        // Authentication happened inside the session before this point: resubscribe now.
        this.topics.onReady(endpoint, e.session);
        return;
      case 'down':
        this.topics.onDown(endpoint);
        return;
      case 'malformed':
        this.report(e.error);
        // A table frame that could not be used may have been a delta: the table's images are
        // refetched. Without a table name it carries no rows to miss: reported only.
        if (e.table !== undefined) this.topics.resyncTable(e.table);
        return;
      case 'subscribed':
        this.topics.onSubscribed(e.subscribe);
        return;
      case 'unsubscribed':
        this.topics.onUnsubscribed(e.unsubscribe);
        return;
      case 'error':
        if (!this.topics.onError(endpoint, e)) this.report(apiError(e));
        return;
      case 'cancelAllAfter': // the dead man's switch's own replies
      case 'welcome':
      case 'authenticated':
      case 'pong':
        return;
      default: {
        const unreachable: never = e;
        return unreachable;
      }
    }
  }

  /** Feeds the clock a frame's first row stamp, when its table stamps rows as they are made, at most every CLOCK_SAMPLE_MS. */
  private sampleClock(frame: TableFrame): void {
    const ts = (frame.data[0] as { timestamp?: unknown } | undefined)?.timestamp;
    if (typeof ts !== 'string' || !stampedWhenSent(frame.table)) return;
    const now = Date.now();
    if (now - this.clockSampledAt < CLOCK_SAMPLE_MS) return;
    this.clockSampledAt = now;
    this.clock.serverTime(timestampMs(ts), now);
  }
}

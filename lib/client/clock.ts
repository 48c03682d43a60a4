/**
 * The server's clock as seen from here. BitMEX stamps its welcome, its rows and its
 * `cancelAllAfter` replies with its time. A stamp is never later than the server's clock when it
 * is read here, so each one bounds the offset from below: stamp − local time read ≤ offset, and
 * the largest recent bound is the one least delayed (by the network, by a busy event loop). The
 * one-way trip it still lacks is half the shortest recent `ping`/`pong` round trip (assuming
 * symmetric paths). A stamp in the future (a broken or hostile feed: one row stamped in 2099)
 * would be the largest bound for the whole window, so a bound counts only when the other recent
 * stamps agree with it (see {@link AHEAD_MS}). The offset corrects row timestamps for latency, and
 * request expiry for signing when a welcome has no `timestamp`.
 * @module
 */

/** An estimate of the server's clock. */
export interface ClockEstimate {
  /** Server clock minus local clock, ms: `Date.now() + offsetMs` is the server's time. */
  readonly offsetMs: number;
  /** Shortest recent `ping` → `pong` round trip, ms; undefined before the first pong. */
  readonly roundTripMs: number | undefined;
  /** How far off the offset may be, ms: half the round trip of the sample it came from (Infinity when unknown). */
  readonly uncertaintyMs: number;
  /** Local time (ms since the epoch) of the sample the estimate rests on. */
  readonly at: number;
}

/** Round trips kept; the shortest of them is the one least delayed by queues. */
const RTT_WINDOW = 8;
/** Stamp bounds kept (at a few a second: the last seconds, so a server clock step is followed). */
const BOUND_WINDOW = 32;
/**
 * How far (ms) a bound may be above what the other recent stamps say — their median, or the
 * least of the newest {@link STEP_STAMPS} — and still count. Legitimate bounds differ by how late
 * each stamp was read (ms, seconds under load); a stamp further ahead is an outlier, left out.
 */
const AHEAD_MS = 1_000;
/**
 * Stamps ahead in a row that say the server's clock was stepped forward (it is then followed).
 * Fewer never move the estimate, nor do stamps ahead that are fewer than the others (the median).
 */
const STEP_STAMPS = 3;

/** Keeps the server clock estimate from server stamps and round trips. */
export class ClockEstimator {
  /** Recent lower bounds of the offset (stamp − local time read), and when each was read. */
  private readonly bounds: { bound: number; receivedMs: number }[] = [];
  /** A stamp in a reply to a request of ours: offset and its round trip. */
  private bracket: { offsetMs: number; rttMs: number; receivedMs: number } | undefined;
  private readonly rtts: number[] = [];
  private pingAt: number | undefined;
  private last: ClockEstimate | undefined;

  /**
   * @param now the local clock.
   * @param onUpdate called with every new estimate.
   */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly onUpdate?: (estimate: ClockEstimate) => void,
  ) {}

  /** The current estimate; undefined before any server stamp. */
  get estimate(): ClockEstimate | undefined {
    return this.last;
  }

  /**
   * A server stamp read at `receivedMs`: the welcome's `timestamp`, or the newest row
   * `timestamp` of a frame (rows are stamped before they are sent).
   */
  serverTime(serverMs: number, receivedMs: number = this.now()): ClockEstimate | undefined {
    if (!Number.isFinite(serverMs) || !Number.isFinite(receivedMs)) return this.last;
    const bounds = this.bounds;
    bounds.push({ bound: serverMs - receivedMs, receivedMs });
    if (bounds.length > BOUND_WINDOW) bounds.shift();
    return this.update();
  }

  /** A reply carrying the server's time (`cancelAllAfter`'s `now`) to a request sent at `sentMs`. */
  reply(serverMs: number, sentMs: number, receivedMs: number = this.now()): ClockEstimate | undefined {
    const rttMs = receivedMs - sentMs;
    if (!Number.isFinite(serverMs) || !(rttMs >= 0)) return this.last;
    this.bracket = { offsetMs: serverMs - (sentMs + receivedMs) / 2, rttMs, receivedMs };
    return this.update();
  }

  /** A `ping` went out (only the first of several unanswered ones counts). */
  pingSent(at: number = this.now()): void {
    this.pingAt ??= at;
  }

  /** A `pong` came in: one round trip. Returns the new estimate when it changed. */
  pong(at: number = this.now()): ClockEstimate | undefined {
    const sent = this.pingAt;
    if (sent === undefined) return this.last;
    this.pingAt = undefined;
    const rtts = this.rtts;
    rtts.push(Math.max(0, at - sent));
    if (rtts.length > RTT_WINDOW) rtts.shift();
    return this.update();
  }

  /** The socket went away: an unanswered ping will never be answered. */
  reset(): void {
    this.pingAt = undefined;
  }

  private update(): ClockEstimate | undefined {
    const rtt = this.rtts.length === 0 ? undefined : Math.min(...this.rtts);
    let best: ClockEstimate | undefined;
    const bounds = this.bounds;
    const n = bounds.length;
    const sorted = bounds.map((b) => b.bound).sort((x, y) => x - y);
    // A bound counts up to AHEAD_MS above the median (lower while fewer than STEP_STAMPS stamps
    // are at or above it: two stamps ahead of one are no majority) or above the least of the
    // newest STEP_STAMPS (a step).
    const median = sorted[Math.min((n - 1) >> 1, n - STEP_STAMPS)] ?? -Infinity;
    const ceiling = Math.max(median, Math.min(...bounds.slice(-STEP_STAMPS).map((b) => b.bound))) + AHEAD_MS;
    let a: { bound: number; receivedMs: number } | undefined;
    for (const b of bounds) if (b.bound <= ceiling && (a === undefined || b.bound >= a.bound)) a = b;
    if (a !== undefined) {
      const oneWay = rtt === undefined ? 0 : rtt / 2;
      best = { offsetMs: a.bound + oneWay, roundTripMs: rtt, uncertaintyMs: rtt === undefined ? Infinity : rtt / 2, at: a.receivedMs };
    }
    const b = this.bracket;
    if (b !== undefined && (best === undefined || b.rttMs / 2 < best.uncertaintyMs)) {
      best = { offsetMs: b.offsetMs, roundTripMs: rtt, uncertaintyMs: b.rttMs / 2, at: b.receivedMs };
    }
    if (best === undefined) return undefined;
    const last = this.last;
    if (last !== undefined && last.offsetMs === best.offsetMs && last.roundTripMs === best.roundTripMs && last.at === best.at) return last;
    this.last = Object.freeze(best);
    this.onUpdate?.(this.last);
    return this.last;
  }
}

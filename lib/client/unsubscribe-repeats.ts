/**
 * Unsubscribes the server refused (429/5xx) and that go out again on a timer. The server still
 * streams such a topic, so it stays `unsubscribing` meanwhile (nothing overlapping is subscribed).
 * A repeat is its socket's: once that socket is gone, its server forgot the topic.
 * @module
 */
import type { Timer, Timers } from './timers';
import type { Endpoint, Topic } from './topic-images';

/** The refused unsubscribes of the topic registry, waiting to be asked again. */
export interface UnsubscribeRepeats {
  /** Whether `t`'s unsubscribe was refused and waits to go out again. */
  has(t: Topic): boolean;
  /** Asks `topics` (of one endpoint) again after `ms`. */
  after(ms: number, topics: readonly Topic[]): void;
  /**
   * Cancels the repeats of `endpoint` (its socket went down). A new socket starts from a clean
   * slate: an old timer firing there sent a repeat refused on that socket before its time.
   */
  drop(endpoint: Endpoint): void;
}

/** {@link UnsubscribeRepeats} on `timers`; `flush` sends what the registry's topics need (the repeats among them). */
export function unsubscribeRepeats(timers: Timers, flush: () => void): UnsubscribeRepeats {
  /** Each topic waiting, with the timer of its repeat (shared by the topics of one refusal). */
  const waiting = new Map<Topic, Timer | undefined>();
  return {
    has: (t) => waiting.has(t),
    after(ms, topics) {
      const timer = timers.after(ms, () => {
        for (const t of topics) {
          // Back to subscribed, so flush() unsubscribes it again (a resync's too: its image is none).
          if (waiting.delete(t) && t.server === 'unsubscribing') {
            t.server = 'subscribed';
            if (t.image === 'awaiting') t.image = 'none';
          }
        }
        flush();
      });
      for (const t of topics) waiting.set(t, timer);
    },
    drop(endpoint) {
      for (const [t, timer] of waiting) {
        if (t.endpoint !== endpoint) continue;
        timers.cancel(timer);
        waiting.delete(t);
      }
    },
  };
}

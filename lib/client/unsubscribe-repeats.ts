/**
 * Unsubscribes the server refused (429/5xx) and that go out again on a timer. The server still
 * streams such a topic, so it stays `unsubscribing` meanwhile (nothing overlapping is subscribed).
 * @module
 */
import type { Timers } from './timers';
import type { Topic } from './topic-images';

/** The refused unsubscribes of the topic registry, waiting to be asked again. */
export interface UnsubscribeRepeats {
  /** Whether `t`'s unsubscribe was refused and waits to go out again. */
  has(t: Topic): boolean;
  /** Asks `topics` again after `ms`. */
  after(ms: number, topics: readonly Topic[]): void;
  /** Forgets `t`'s repeat (its socket went down). */
  forget(t: Topic): void;
}

/** {@link UnsubscribeRepeats} on `timers`; `flush` sends what the registry's topics need (the repeats among them). */
export function unsubscribeRepeats(timers: Timers, flush: () => void): UnsubscribeRepeats {
  const waiting = new Set<Topic>();
  return {
    has: (t) => waiting.has(t),
    after(ms, topics) {
      for (const t of topics) waiting.add(t);
      timers.after(ms, () => {
        // Back to subscribed, so flush() unsubscribes it again (a resync's too: its image is none).
        for (const t of topics) if (waiting.delete(t) && t.server === 'unsubscribing') (t.server = 'subscribed'), t.image === 'awaiting' && (t.image = 'none');
        flush();
      });
    },
    forget: (t) => void waiting.delete(t),
  };
}

/**
 * The watch on a subscribe (its partial) or an unsubscribe: one left unanswered in time would
 * wait for good, so the topics' link is told, and gives the session up.
 * @module
 */
import type { Timers } from './timers';
import type { Endpoint, Topic } from './topic-images';
import type { TopicsLink } from './topics-link';

/** Watches `names` on `endpoint` (see {@link watchAnswers}); `unsub`: their unsubscribe. */
export type AnswerWatch = (endpoint: Endpoint, names: readonly string[], unsub?: boolean) => void;

/** An {@link AnswerWatch} on `timers`, over the registry's `topics`. */
export function watchAnswers(timers: Timers, link: TopicsLink, topics: ReadonlyMap<string, Topic>): AnswerWatch {
  return (endpoint, names, unsub = false) => {
    const timeoutMs = link.subscribeTimeoutMs;
    const session = link.session(endpoint);
    if (timeoutMs === undefined || session === undefined) return;
    const asked = names.map((n) => topics.get(n)).filter((t): t is Topic => t !== undefined).map((t) => [t, t.awaitSeq] as const);
    timers.after(timeoutMs, () => {
      if (link.session(endpoint) !== session) return;
      // Still the same request (a new awaitSeq: asked again since), still waiting for its answer.
      const late = asked.filter(
        ([t, seq]) => topics.get(t.name) === t && t.awaitSeq === seq && (unsub ? t.server === 'unsubscribing' : t.observer !== undefined && t.image === 'awaiting'),
      );
      if (late.length < 1) return;
      // A subscribe whose success came was answered: what is missing is its partial.
      const acked = late.filter(([t]) => !unsub && t.server === 'subscribed').map(([t]) => t.name);
      const silent = late.filter(([t]) => unsub || t.server !== 'subscribed').map(([t]) => t.name);
      const what = [
        ...(silent.length > 0 ? [`no answer to ${unsub ? 'unsubscribe' : 'subscribe'} ${silent.join(', ')}`] : []),
        ...(acked.length > 0 ? [`subscribe ${acked.join(', ')} acknowledged, but no partial`] : []),
      ];
      link.unanswered?.(endpoint, `${what.join('; ')} within ${timeoutMs} ms`);
    });
  };
}

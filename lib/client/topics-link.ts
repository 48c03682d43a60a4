/**
 * What the topic registry (`Topics`) needs from the client that owns it: sessions to send
 * on, connections to open, images to forget, and where to report.
 * @module
 */
import type { BitmexError } from '../protocol/errors';
import type { FrameParseError } from '../protocol/frames';
import type { Session } from './session';
import type { Endpoint } from './topic-images';

/** What the topics need from the client. */
export interface TopicsLink {
  /** The ready session of an endpoint, if any. */
  session(endpoint: Endpoint): Session | undefined;
  /** Opens an endpoint's connection if it is not already open or opening. */
  start(endpoint: Endpoint): void;
  /** Forgets the rows of `table` matching `filter` (`{}`: the whole table). */
  drop(table: string, filter: Readonly<Record<string, string>>): void;
  /** The symbols that have rows in the current image of `table`. */
  symbolsOf(table: string): Iterable<string>;
  /** How long a subscribe may go without its success and partial, or an unsubscribe without its answer (undefined: forever). */
  readonly subscribeTimeoutMs?: number;
  /**
   * Topics of a live session whose subscribe got no success or partial in time, or whose
   * unsubscribe got no answer; `what` says which and what was missing.
   */
  unanswered?(endpoint: Endpoint, what: string): void;
  /** A problem that stopped no topic (a refused subscribe that will be retried, a row held back as garbage); called unbound. */
  readonly report: (error: BitmexError | FrameParseError) => void;
}

/**
 * What a reducer state says went wrong, turned into reports and repairs: a frame or rows it could
 * not use (skipped) become a `FrameParseError`, and a delta's row among them resyncs the topics it
 * may have fed; a frame that contradicts an image becomes a `BitmexInconsistencyError`, and the
 * topic that feeds that image is resynced.
 * @module
 */
import { BitmexInconsistencyError, type BitmexError } from '../protocol/errors';
import { topicOf, type FrameParseError } from '../protocol/frames';
import type { TablesState } from '../reducer/reducer';
import { readableKey } from '../reducer/keys';
import type { Unusable } from '../reducer/state';
import { skippedError } from './frame-guard';
import type { Topics } from './topics';

// makeKey joins key values with U+001F, invisible in a log line: shown as ':'.

/** Reports what `state`'s frame could not use or contradicted, and resyncs the topics concerned. */
export function reportStateProblems(state: TablesState, topics: Topics, report: (error: BitmexError | FrameParseError) => void): void {
  // Runs on every state: nearly always both lists are empty, and `for…of` would make iterators.
  const unusable = state.unusable;
  const inconsistencies = state.inconsistencies;
  if (unusable.length === 0 && inconsistencies.length === 0) return;
  for (const u of unusable) {
    report(skippedError(u.table, u.reason, u.value));
    // Every delta row the reducer leaves out lacks a string symbol: any topic of its table may miss it.
    if (lostDelta(u) && u.table !== undefined) topics.resyncTable(u.table);
  }
  for (const inc of inconsistencies) {
    const topic = topics.covering(inc.table, inc.symbol);
    // An update or delete finds no row; an insert or partial row has no usable key, price or size.
    const what = inc.action === 'update' || inc.action === 'delete' ? 'for an unknown row (or with unusable values)' : 'with a row that cannot be stored';
    report(new BitmexInconsistencyError(inc.table, topic ?? topicOf(inc.table, inc.symbol), `${inc.action} ${what} ${readableKey(inc.key)} in ${inc.table}; resubscribing`));
    if (topic !== undefined) topics.resync(topic);
  }
}

/**
 * Whether an unusable item is data an image now misses, to be fetched again (a fresh partial):
 * - a row of an insert, update or delete left out (no string symbol where images are per symbol;
 *   not an object, though the session already refuses such a frame whole): yes, its change is lost;
 * - a partial's row left out (of another symbol than its filter's, without a string symbol): no,
 *   a resync would get the same partial and loop; the image holds all the server would give;
 * - an `orderBook10` row holding pairs that are not [price, size]: no, the row is kept (its book
 *   leaves those pairs out) and the next frame resends it whole;
 * - a whole frame (not a table frame, unknown action, no data array): the session refuses these
 *   first and their table is resynced there (./event-router); none reaches the reducer here.
 */
function lostDelta(u: Unusable): boolean {
  return u.dropped !== undefined && u.dropped !== 'partial';
}

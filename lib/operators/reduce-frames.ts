/**
 * `reduceFrames()`: table frames in, reducer states out — `scan(reduceTables, emptyTables())`,
 * the step the live client runs every frame through.
 * @module
 */
import { defer, scan, type OperatorFunction } from 'rxjs';
import type { TableFrame } from '../protocol/frames';
import { emptyTables, reduceTables, type ReducerOptions, type TablesState } from '../reducer/reducer';

/**
 * Reduces table frames into states, one per frame, each subscription from its own empty state.
 *
 * ```ts
 * recorded$.pipe(reduceFrames(), bookOf$('XBTUSD', { depth: 10 })).subscribe(render);
 * ```
 */
export function reduceFrames(options: ReducerOptions = {}): OperatorFunction<TableFrame, TablesState> {
  return (frames) => defer(() => frames.pipe(scan(reduceTables, emptyTables(options))));
}

/**
 * `changesOf$(table, symbol?)`: from reducer states to the batches they applied to one table.
 * @module
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { Change, TablesState } from '../reducer/reducer';
import { symbolSet, wants, type SymbolFilter } from './symbols';

/**
 * Each state's changes to `table` (optionally only of `symbol`, one or several): partials,
 * inserts, updates and deletes as applied, `{ table, action, symbol?, rows }`.
 *
 * ```ts
 * recorded$.pipe(reduceFrames(), changesOf$('trade', 'XBTUSD')).subscribe(({ action, rows }) => ...);
 * ```
 */
export function changesOf$(table: string, symbol?: string | readonly string[]): OperatorFunction<TablesState, Change> {
  const symbols = symbolSet(symbol as SymbolFilter);
  return (states) =>
    new Observable<Change>((subscriber) =>
      states.subscribe({
        next(state) {
          const changes = state.changes;
          for (let i = 0; i < changes.length; i++) {
            const change = changes[i] as Change;
            if (change.table === table && wants(symbols, change.symbol)) subscriber.next(change);
          }
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}

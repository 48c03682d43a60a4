/**
 * `tableOf$(table, symbol?)`: from reducer states to the rows they inserted and updated.
 * @module
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { RowOf } from '../protocol/rows';
import type { Change, TablesState } from '../reducer/reducer';
import { symbolSet, wants, type SymbolFilter } from './symbols';

/**
 * The rows each state brought into `table` (optionally only of `symbol`, one or several): a
 * partial's rows, inserted rows and updated (merged) rows, one by one. Deletes are not emitted.
 *
 * ```ts
 * recorded$.pipe(reduceFrames(), tableOf$('trade', 'XBTUSD')).subscribe((t) => console.log(t.price));
 * ```
 */
export function tableOf$<T extends string>(table: T, symbol?: string | readonly string[]): OperatorFunction<TablesState, RowOf<T>> {
  const symbols = symbolSet(symbol as SymbolFilter);
  return (states) =>
    new Observable<RowOf<T>>((subscriber) =>
      states.subscribe({
        next(state) {
          const changes = state.changes;
          for (let i = 0; i < changes.length; i++) {
            const change = changes[i] as Change;
            if (change.table !== table || change.action === 'delete' || !wants(symbols, change.symbol)) continue;
            const rows = change.rows;
            for (let j = 0; j < rows.length; j++) subscriber.next(rows[j] as RowOf<T>);
          }
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => subscriber.complete(),
      }),
    );
}

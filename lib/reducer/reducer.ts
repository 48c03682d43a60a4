/**
 * The table / order-book reducer: a pure `(state, frame) => state` for RxJS `scan`.
 *
 * ```ts
 * frames$.pipe(scan(reduceTables, emptyTables()))
 * ```
 *
 * Every state is a value: it says what its frame did (`changes`, `inconsistencies`, `skipped`)
 * and gives read access to the images (`rowsOf`, `bookOf`, ...), and it stays valid forever.
 * States share structure: a frame copies only the paths it changed (O(rows × log n)), and what
 * it left alone is the same object in the next state. So `pairwise`, `toArray`, `shareReplay`,
 * `observeOn` or one seed reduced twice all see correct books. Everything handed out — rows,
 * change batches, snapshots — is frozen or never touched again. The reducer does not change its
 * inputs beyond freezing the rows it keeps or reports.
 *
 * The reducer lives in: ./state (the value), ./reduce-tables (applying frames), ./keyed-table
 * (keyed tables and logs), ./filters, ./keys, ./output, ./selectors (reading); books in ../book.
 * @module
 */
export { emptyTables } from './state';
export type { ReducerOptions, TablesState, Change, Inconsistency, Unusable } from './state';
export { reduceTables } from './reduce-tables';
export { clearImage } from './partials';
export { rowsOf, keysOf, tablesOf, bookOf, createBookView } from './selectors';
export type { BookReadOptions, BookView } from './selectors';
export { makeKey } from './keys';
export type { BookLevel, BookSnapshot } from '../book/l2-book';
export { parseTimestamp } from '../protocol/timestamp';

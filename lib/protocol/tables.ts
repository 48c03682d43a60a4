/**
 * The one catalogue of BitMEX tables: which are order books, the keys their partials declare,
 * which need authentication, which live on `/realtimePlatform`, which take no `:SYMBOL`
 * filter. The reducer, the client and the simulator all read it from here
 * (/work/shared/reference/bitmex-protocol.md, "Keys seen in partials").
 * @module
 */

/** Order-book tables: full and top-25 books of levels, and the top-10 snapshot rows. */
export type BookTable = 'orderBookL2' | 'orderBookL2_25' | 'orderBook10';

/** Every {@link BookTable}, full book first. */
export const BOOK_TABLES: readonly BookTable[] = ['orderBookL2', 'orderBookL2_25', 'orderBook10'];

/** Order-book tables kept as price-sorted books. */
export const L2_TABLES: ReadonlySet<string> = new Set<BookTable>(['orderBookL2', 'orderBookL2_25']);

/** Tables that live on `/realtimePlatform` since 2023. */
export const PLATFORM_TABLES: ReadonlySet<string> = new Set(['announcement', 'chat', 'publicNotifications']);

/** Tables that need an authenticated connection. */
export const PRIVATE_TABLES: ReadonlySet<string> = new Set([
  'account', 'affiliate', 'execution', 'margin', 'order', 'position', 'privateNotifications', 'transact', 'wallet',
]);

/** Tables that take no `:SYMBOL` filter (`table:SYMBOL` is refused for them). */
export const UNFILTERED_TABLES: ReadonlySet<string> = new Set([
  'account', 'affiliate', 'funds', 'insurance', 'margin', 'transact', 'wallet', 'announcement', 'connected', 'chat',
  'publicNotifications', 'privateNotifications',
]);

const INSERT_ONLY: readonly string[] = [];

/**
 * The keys each table's partial declares; `[]` for insert-only tables (trade, quote, the bins,
 * notifications). Used where a frame carries none. A record without a prototype, so a table
 * named like an `Object.prototype` member (`toString`) finds nothing.
 */
export const TABLE_KEYS: Readonly<Record<string, readonly string[]>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, readonly string[]>, {
    instrument: ['symbol'],
    orderBookL2: ['symbol', 'id', 'side'],
    orderBookL2_25: ['symbol', 'id', 'side'],
    orderBook10: ['symbol'],
    quote: INSERT_ONLY,
    trade: INSERT_ONLY,
    tradeBin1m: INSERT_ONLY,
    tradeBin5m: INSERT_ONLY,
    tradeBin1h: INSERT_ONLY,
    tradeBin1d: INSERT_ONLY,
    quoteBin1m: INSERT_ONLY,
    quoteBin5m: INSERT_ONLY,
    quoteBin1h: INSERT_ONLY,
    quoteBin1d: INSERT_ONLY,
    funding: ['timestamp', 'symbol'],
    settlement: ['timestamp', 'symbol'],
    liquidation: ['orderID'],
    insurance: ['currency', 'timestamp'],
    funds: ['currency', 'timestamp'],
    connected: INSERT_ONLY,
    announcement: ['id'],
    chat: ['id'],
    publicNotifications: INSERT_ONLY,
    order: ['orderID'],
    execution: ['execID'],
    position: ['account', 'symbol'],
    wallet: ['account', 'currency'],
    // Older captures key margin by `account` alone; today's partials send both.
    margin: ['account', 'currency'],
    account: ['id'],
    affiliate: ['account', 'currency'],
    transact: ['transactID'],
    privateNotifications: INSERT_ONLY,
  }),
);

/** Every table in the catalogue. */
export const KNOWN_TABLES: ReadonlySet<string> = new Set(Object.keys(TABLE_KEYS));

/**
 * Tables whose `timestamp` names the event the row is about (a funding or settlement time), not
 * when it was sent: they say nothing about latency or the server's clock.
 */
const EVENT_TIME_TABLES: ReadonlySet<string> = new Set(['funding', 'settlement', 'insurance']);

/** Whether rows of `table` are stamped with when they were made (so, before they were sent). */
export function stampedWhenSent(table: string): boolean {
  return !EVENT_TIME_TABLES.has(table);
}

/**
 * The options argument of `book$`, `storage.book` and `bookOf$`, checked at the call as the
 * constructor's are: unchecked, a misspelt name gives a book silently (depth 25 for `dpeth`), and
 * a table that holds no book an empty one (`trade`, subscribed for nothing).
 * @module
 */
import { BOOK_TABLES, type BookTable } from '../protocol/tables';

const NAMES = ['depth', 'table', 'group', 'cumulative', 'tickSize'];

function bad(name: string, what: string, v: unknown): never {
  throw new TypeError(`${name} must be ${what}, got ${typeof v === 'string' ? JSON.stringify(v) : String(v)}`);
}

/** Returns `options` ({} for undefined) or throws a TypeError naming what is wrong; `extra`: one more name taken. */
export function bookOptions<T extends object>(options: T | undefined, extra?: string): T {
  if (options === undefined) return {} as T;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) bad('book options', 'an object', options);
  const o = options as Record<string, unknown>;
  for (const name of Object.keys(o)) if (!NAMES.includes(name) && name !== extra) throw new TypeError(`${name} is not a book option`);
  const { depth, table, cumulative } = o;
  if (depth !== undefined && !(Number.isInteger(depth) && (depth as number) > 0)) bad('depth', 'a positive integer', depth);
  if (table !== undefined && !BOOK_TABLES.includes(table as BookTable)) bad('table', BOOK_TABLES.join(', '), table);
  if (cumulative !== undefined && typeof cumulative !== 'boolean') bad('cumulative', 'true or false', cumulative);
  return options;
}

/**
 * The symbol argument shared by the operators and the client's streams.
 * @module
 */

/** One symbol, several, or all (undefined). */
export type SymbolFilter = string | readonly string[] | undefined;

/** BitMEX's symbol for every symbol (`trade:*`). */
export const EVERY_SYMBOL = '*';

/**
 * The symbols as a set (undefined: all, also for `'*'`, which BitMEX takes for every symbol);
 * throws a TypeError for an empty or non-string one.
 */
export function symbolSet(symbol: SymbolFilter): ReadonlySet<string> | undefined {
  if (symbol === undefined) return undefined;
  const list = typeof symbol === 'string' ? [symbol] : Array.isArray(symbol) ? [...(symbol as readonly unknown[])] : [];
  if (list.length === 0 || list.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError('symbol must be a non-empty string or a non-empty array of them');
  }
  // No row has the symbol '*': taken literally it would match nothing, silently.
  return list.includes(EVERY_SYMBOL) ? undefined : new Set(list as string[]);
}

/** Checks the one symbol of a book: a non-empty string, not `'*'` (a book is one symbol's). */
export function bookSymbol(symbol: unknown): string {
  if (typeof symbol !== 'string' || symbol === '' || symbol === EVERY_SYMBOL) {
    throw new TypeError(`a book needs one symbol (a non-empty string, not '${EVERY_SYMBOL}'), got ${typeof symbol === 'string' ? JSON.stringify(symbol) : typeof symbol}`);
  }
  return symbol;
}

/** Whether a change of `symbol` is one the set asks for. */
export function wants(symbols: ReadonlySet<string> | undefined, symbol: string | undefined): boolean {
  return symbols === undefined || (symbol !== undefined && symbols.has(symbol));
}

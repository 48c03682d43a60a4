/**
 * The symbol argument shared by the operators and the client's streams.
 * @module
 */

/** One symbol, several, or all (undefined). */
export type SymbolFilter = string | readonly string[] | undefined;

/** The symbols as a set (undefined: all); throws a TypeError for an empty or non-string one. */
export function symbolSet(symbol: SymbolFilter): ReadonlySet<string> | undefined {
  if (symbol === undefined) return undefined;
  const list = typeof symbol === 'string' ? [symbol] : Array.isArray(symbol) ? [...(symbol as readonly unknown[])] : [];
  if (list.length === 0 || list.some((s) => typeof s !== 'string' || s === '')) {
    throw new TypeError('symbol must be a non-empty string or a non-empty array of them');
  }
  return new Set(list as string[]);
}

/** Whether a change of `symbol` is one the set asks for. */
export function wants(symbols: ReadonlySet<string> | undefined, symbol: string | undefined): boolean {
  return symbols === undefined || (symbol !== undefined && symbols.has(symbol));
}

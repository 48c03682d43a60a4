/**
 * Instruments of the simulated market: their spec and the defaults of the usual symbols.
 * @module
 */

/** One instrument of the simulated market. */
export interface SimulatorInstrument {
  /** e.g. `XBTUSD`. */
  readonly symbol: string;
  /** Price step; every price in the book is a multiple of it. */
  readonly tickSize: number;
  /** Quantity step; every size is a multiple of it. */
  readonly lotSize: number;
  /** Starting mid price. */
  readonly price: number;
  /** XBt per contract per USD (positive, quanto) or negative for inverse contracts such as XBTUSD. */
  readonly multiplier?: number;
}

/** Defaults for the usual symbols; any other symbol gets tick 0.01, lot 1, price 100. */
export const DEFAULT_INSTRUMENTS: Readonly<Record<string, SimulatorInstrument>> = {
  XBTUSD: { symbol: 'XBTUSD', tickSize: 0.5, lotSize: 100, price: 60000, multiplier: -100000000 },
  ETHUSD: { symbol: 'ETHUSD', tickSize: 0.05, lotSize: 1, price: 3000, multiplier: 100 },
  SOLUSD: { symbol: 'SOLUSD', tickSize: 0.01, lotSize: 1, price: 150, multiplier: 100 },
};

/** Resolves `symbols` (names or full specs) into instrument specs. */
export function resolveInstruments(symbols: readonly (string | SimulatorInstrument)[]): Required<SimulatorInstrument>[] {
  return symbols.map((s) => {
    const spec = typeof s === 'string' ? DEFAULT_INSTRUMENTS[s] ?? { symbol: s, tickSize: 0.01, lotSize: 1, price: 100 } : s;
    return { multiplier: 100, ...spec };
  });
}

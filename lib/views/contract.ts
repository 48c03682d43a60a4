/**
 * What a grouped or cumulative book needs to know about an instrument, read from its row of the
 * `instrument` table: the price step, and how a level's size turns into value.
 * @module
 */
import type { Row } from '../protocol/frames';

/** The fields of an instrument that books use. */
export interface ContractSpec {
  /** Price step: every price is a multiple of it, and so must a `group` be. */
  readonly tickSize?: number;
  /**
   * Value of one contract, in the settlement currency's smallest unit (XBt for XBTUSD): per unit
   * of price for linear and quanto contracts, per 1 / price for inverse ones (BitMEX sends it
   * negative for those, e.g. -100000000 for XBTUSD).
   */
  readonly multiplier?: number;
  /** Inverse contract (value = |multiplier| × size / price); when absent, a negative multiplier says so. */
  readonly isInverse?: boolean;
}

function finite(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** The {@link ContractSpec} fields of an `instrument` row (fields of the wrong type are left out). */
export function contractOf(row: Row | undefined): ContractSpec {
  if (row === undefined) return {};
  const { tickSize, multiplier, isInverse } = row;
  return {
    ...(finite(tickSize) && tickSize > 0 ? { tickSize } : {}),
    ...(finite(multiplier) && multiplier !== 0 ? { multiplier } : {}),
    ...(typeof isInverse === 'boolean' ? { isInverse } : {}),
  };
}

/**
 * How to value `size` contracts at `price`, as BitMEX values a trade (its `grossValue`):
 * |multiplier| × size / price for inverse contracts, multiplier × size × price otherwise. In the
 * settlement currency's smallest unit (XBt for XBTUSD). Undefined when the spec has no multiplier.
 */
export function notionalFn(spec: ContractSpec): ((price: number, size: number) => number) | undefined {
  const m = spec.multiplier;
  if (m === undefined) return undefined;
  const abs = Math.abs(m);
  const inverse = spec.isInverse ?? m < 0;
  return inverse ? (price, size) => (abs * size) / price : (price, size) => abs * size * price;
}

/**
 * Running totals on an ungrouped book: each level of a snapshot gains `cumSize` (and
 * `cumNotional` when the instrument says how to value a contract). Level objects are reused
 * while price, size, id and totals are unchanged, and so is a side's array.
 * @module
 */
import type { BookLevel, BookSnapshot } from '../book/l2-book';
import type { DepthLevel, DepthSnapshot } from './grouped-book';

const EMPTY: readonly DepthLevel[] = Object.freeze([]);

/** Adds running totals to successive snapshots of one book. */
export class CumulativeCore {
  private bids: readonly DepthLevel[] = EMPTY;
  private asks: readonly DepthLevel[] = EMPTY;
  private last: DepthSnapshot | undefined;
  private source: BookSnapshot | undefined;

  constructor(private readonly notional?: (price: number, size: number) => number) {}

  /** The snapshot with totals; undefined when it equals the last one returned. */
  next(snap: BookSnapshot): DepthSnapshot | undefined {
    if (snap === this.source) return undefined;
    this.source = snap;
    const bids = (this.bids = this.side(snap.bids, this.bids));
    const asks = (this.asks = this.side(snap.asks, this.asks));
    const last = this.last;
    if (last !== undefined && last.symbol === snap.symbol && last.bids === bids && last.asks === asks) return undefined;
    return (this.last = Object.freeze({ symbol: snap.symbol, timestamp: snap.timestamp, bids, asks }));
  }

  private side(levels: readonly BookLevel[], prev: readonly DepthLevel[]): readonly DepthLevel[] {
    const n = levels.length;
    const notional = this.notional;
    const out = new Array<DepthLevel>(n);
    let same = prev.length === n;
    let cum = 0;
    let cumValue = 0;
    for (let i = 0; i < n; i++) {
      const l = levels[i] as BookLevel;
      cum += l.size;
      if (notional !== undefined) cumValue += notional(l.price, l.size);
      const p = prev[i];
      if (p !== undefined && p.price === l.price && p.size === l.size && p.id === l.id && p.cumSize === cum && (notional === undefined || p.cumNotional === cumValue)) {
        out[i] = p;
        continue;
      }
      same = false;
      out[i] = Object.freeze(
        notional === undefined
          ? { price: l.price, size: l.size, id: l.id, cumSize: cum }
          : { price: l.price, size: l.size, id: l.id, cumSize: cum, cumNotional: cumValue },
      );
    }
    return same ? prev : Object.freeze(out);
  }
}

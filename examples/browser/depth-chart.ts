/**
 * A depth chart on an SVG: cumulative size of the bids (left of the spread) and asks (right) as
 * filled steps, no chart library. The SVG's data attributes carry the data's extremes (lowest
 * bid and highest ask bucket, each side's total), for tests and curious readers.
 */

/** A level or bucket with its running total, as `book$(…, { cumulative: true })` gives it. */
export interface DepthPoint {
  readonly price: number;
  readonly cumSize?: number;
}

const W = 480;
const H = 240;
/** Room at the bottom for the price labels. */
const AXIS = 18;

/** Draws both sides into `svg` (which holds `path.bids`, `path.asks` and three `text` labels). */
export function drawDepth(svg: SVGSVGElement, bids: readonly DepthPoint[], asks: readonly DepthPoint[]): void {
  const low = bids.length > 0 ? (bids[bids.length - 1] as DepthPoint).price : asks[0]?.price ?? 0;
  const high = asks.length > 0 ? (asks[asks.length - 1] as DepthPoint).price : bids[0]?.price ?? 0;
  const bidTotal = bids[bids.length - 1]?.cumSize ?? 0;
  const askTotal = asks[asks.length - 1]?.cumSize ?? 0;
  const top = Math.max(bidTotal, askTotal, 1);
  // Far-out levels (BitMEX has asks at 999999) would squeeze the book into a sliver: the window
  // spans the nearest 80% of each side's buckets around the mid; farther steps end at its edge.
  const mid = bids[0] !== undefined && asks[0] !== undefined ? (bids[0].price + asks[0].price) / 2 : (low + high) / 2;
  const reach = (side: readonly DepthPoint[]): number =>
    side.length === 0 ? 0 : Math.abs((side[Math.floor(0.8 * (side.length - 1))] as DepthPoint).price - mid);
  const half = Math.max(reach(bids), reach(asks)) * 1.1 || Math.max(mid - low, high - mid) || 1;
  const from = Math.max(low, mid - half);
  const to = Math.min(high, mid + half);
  const span = to - from || 1;
  const x = (price: number): number => (Math.min(Math.max(price, from), to) - from) / span * W;
  const y = (cum: number): number => H - AXIS - (cum / top) * (H - AXIS - 20);

  // From the best price outwards: up to each level's total, then across to the next price.
  const steps = (side: readonly DepthPoint[]): string => {
    if (side.length === 0) return '';
    let d = `M${x((side[0] as DepthPoint).price).toFixed(1)},${H - AXIS}`;
    let prev = 0;
    for (const p of side) {
      const px = x(p.price).toFixed(1);
      d += ` L${px},${y(prev).toFixed(1)} L${px},${y(p.cumSize ?? 0).toFixed(1)}`;
      prev = p.cumSize ?? 0;
    }
    return `${d} L${x((side[side.length - 1] as DepthPoint).price).toFixed(1)},${H - AXIS} Z`;
  };
  svg.querySelector('path.bids')?.setAttribute('d', steps(bids));
  svg.querySelector('path.asks')?.setAttribute('d', steps(asks));
  const label = (cls: string, text: string): void => {
    const el = svg.querySelector(`text.${cls}`);
    if (el) el.textContent = text;
  };
  label('low', from.toLocaleString('en-US'));
  label('high', to.toLocaleString('en-US'));
  label('top', `total ${top.toLocaleString('en-US')}`);
  const data = svg.dataset;
  data.low = String(low);
  data.high = String(high);
  data.bidTotal = String(bidTotal);
  data.askTotal = String(askTotal);
  data.bidBuckets = String(bids.length);
  data.askBuckets = String(asks.length);
}

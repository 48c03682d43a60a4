/**
 * The simulator's true order book of one symbol: levels kept as integer ticks (so prices never
 * drift), sorted best first, and the helpers that read and compare it. No randomness here: the
 * market's events decide what changes, this file only says what a book is.
 * @module
 */
import type { SimulatorInstrument } from './instruments';

/** A price level as the true book holds it. */
export interface SimulatorLevel {
  readonly price: number;
  readonly size: number;
  /** The level's orderBookL2 id (arbitrary, not derived from the price). */
  readonly id: number;
}

/** The true state of one book: bids high→low, asks low→high. */
export interface SimulatorBook {
  readonly bids: SimulatorLevel[];
  readonly asks: SimulatorLevel[];
}

export type Side = 'Buy' | 'Sell';

export interface Level {
  readonly id: number;
  readonly ticks: number;
  size: number;
  /** Far-out resting levels (as BitMEX's 999999 asks): never traded or deleted. */
  readonly far: boolean;
}

export interface Book {
  readonly spec: Required<SimulatorInstrument>;
  readonly decimals: number;
  /** 10^decimals. */
  readonly scale: number;
  /** Bids high→low then asks low→high; far levels sit at the tail of each. */
  readonly bids: Level[];
  readonly asks: Level[];
}

/** Copies of the top levels, taken before a change to diff against after it. */
export interface TopSnapshot {
  readonly bids: readonly Level[];
  readonly asks: readonly Level[];
}

/** Near levels per side are kept between these bounds, so orderBookL2_25 is always full. */
export const MIN_NEAR = 30;
export const MAX_NEAR = 90;
export const INITIAL_NEAR = 50;

/** An empty book for an instrument; its decimals come from the tick size. */
export function emptyBook(spec: Required<SimulatorInstrument>): Book {
  const decimals = Math.max(0, -Math.floor(Math.log10(spec.tickSize) + 1e-9));
  return { spec, decimals, scale: 10 ** decimals, bids: [], asks: [] };
}

export function priceAt(b: Book, ticks: number): number {
  // Dividing exact integers rounds correctly: the same double as the decimal literal.
  return Math.round(ticks * b.spec.tickSize * b.scale) / b.scale;
}

export function midPrice(b: Book, bid: number, ask: number): number {
  return Number(((bid + ask) / 2).toFixed(b.decimals + 1));
}

export function sideLevels(b: Book, side: Side): Level[] {
  return side === 'Buy' ? b.bids : b.asks;
}

/** Levels of a side that are not far-out ones. */
export function nearCount(levels: Level[]): number {
  let n = levels.length;
  while (n > 0 && levels[n - 1]?.far) n--;
  return n;
}

/** Inserts a level at its sorted place. */
export function place(levels: Level[], side: Side, level: Level): void {
  const better = (a: number, c: number) => (side === 'Buy' ? a > c : a < c);
  let i = 0;
  while (i < levels.length && !better(level.ticks, (levels[i] as Level).ticks)) i++;
  levels.splice(i, 0, level);
}

/** A copy of the top `depth` levels: levels are mutated in place, so a diff needs copies. */
export function top(b: Book, depth: number): TopSnapshot {
  const snap = (l: Level): Level => ({ id: l.id, ticks: l.ticks, size: l.size, far: l.far });
  return { bids: b.bids.slice(0, depth).map(snap), asks: b.asks.slice(0, depth).map(snap) };
}

export function sameIds(a: readonly Level[], b: readonly Level[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if ((a[i] as Level).id !== (b[i] as Level).id) return false;
  return true;
}

export function sameTop(a: TopSnapshot, b: TopSnapshot, depth: number): boolean {
  const same = (x: TopSnapshot['bids'], y: TopSnapshot['bids']) => {
    const n = Math.min(depth, Math.max(x.length, y.length));
    for (let i = 0; i < n; i++) {
      const p = x[i];
      const q = y[i];
      if (!p || !q || p.ticks !== q.ticks || p.size !== q.size) return false;
    }
    return true;
  };
  return same(a.bids, b.bids) && same(a.asks, b.asks);
}

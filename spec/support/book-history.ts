/**
 * Random histories of one persistent order book, made through the reducer: a partial of up to a
 * few thousand levels a side (deep enough for trees of three levels; several levels may share a
 * price), then frames of inserts, same-price updates, moves and deletes, every version kept
 * with the levels as the test knows them. For property specs of what reads books.
 */
import fc from 'fast-check';
import type { L2Book } from '../../lib/book/l2-book';
import type { Row, TableFrame } from '../../lib/protocol/frames';
import { emptyTables, reduceTables, type TablesState } from '../../lib/reducer/reducer';
import { bookIn, findTable, tablesIn } from '../../lib/reducer/state';

export const SYMBOL = 'XBTUSD';
export type SideName = 'Buy' | 'Sell';

/** A level as the test keeps it; `rev` counts its updates (each one a new row in the book). */
export interface Level {
  readonly id: number;
  readonly side: SideName;
  readonly ticks: number;
  readonly size: number;
  readonly rev: number;
}

/** Bids at or below tick 4000, asks above; a tick is 0.5. */
export const priceOf = (ticks: number): number => ticks / 2;

const row = (l: Level): Row => ({ symbol: SYMBOL, id: l.id, side: l.side, size: l.size, price: priceOf(l.ticks) });
const frame = (action: TableFrame['action'], data: Row[]): TableFrame =>
  (action === 'partial'
    ? { table: 'orderBookL2', action, keys: ['symbol', 'id', 'side'], filter: { symbol: SYMBOL }, data }
    : { table: 'orderBookL2', action, data }) as TableFrame;

/** One side best first (bids high to low, asks low to high), ties by id: the book's order. */
export function sortedSide(levels: ReadonlyMap<number, Level>, side: SideName): Level[] {
  const out = [...levels.values()].filter((l) => l.side === side);
  out.sort((a, b) => (side === 'Buy' ? b.ticks - a.ticks : a.ticks - b.ticks) || a.id - b.id);
  return out;
}

/** The orderBookL2 book of {@link SYMBOL} in a state. */
export function bookOfState(state: TablesState): L2Book {
  const t = findTable(tablesIn(state), 'orderBookL2');
  const book = t === undefined ? undefined : bookIn(state, t, SYMBOL);
  if (book === undefined) throw new Error('no book');
  return book;
}

export type Op = { kind: 'insert' | 'update' | 'move' | 'delete'; buy: boolean; pick: number; ticks: number; size: number };
export const op: fc.Arbitrary<Op> = fc.record({
  kind: fc.constantFrom('insert' as const, 'update' as const, 'update' as const, 'move' as const, 'delete' as const),
  buy: fc.boolean(),
  pick: fc.nat(),
  ticks: fc.integer({ min: 0, max: 3000 }),
  size: fc.integer({ min: 1, max: 9 }),
});

/** A book's versions: the states, their books, and the levels as the test knows them. */
export interface History {
  readonly states: TablesState[];
  readonly books: L2Book[];
  readonly levels: Map<number, Level>[];
}

/**
 * A partial of `n` levels a side spread over `spread` ticks, then `frames`; sizes are the ops'
 * divided by `per` (1: whole contracts).
 */
export function history(n: number, spread: number, frames: readonly Op[][], per = 1): History {
  let nextId = 1;
  const levels = new Map<number, Level>();
  for (let i = 0; i < n; i++) {
    // Several levels may share a price: `spread` ticks for n levels a side.
    const t = Math.floor((i * spread) / Math.max(1, n));
    for (const side of ['Buy', 'Sell'] as const) {
      const l: Level = { id: nextId++, side, ticks: side === 'Buy' ? 4000 - t : 4001 + t, size: (1 + (i % 7)) / per, rev: 0 };
      levels.set(l.id, l);
    }
  }
  let state = reduceTables(emptyTables(), frame('partial', [...levels.values()].map(row)));
  const states = [state];
  const books = [bookOfState(state)];
  const versions = [new Map(levels)];
  for (const ops of frames) {
    const action = ops[0]?.kind === 'insert' ? 'insert' : ops[0]?.kind === 'delete' ? 'delete' : 'update';
    const data: Row[] = [];
    const seen = new Set<number>();
    for (const o of ops) {
      const side: SideName = o.buy ? 'Buy' : 'Sell';
      const ticks = o.buy ? 4000 - o.ticks : 4001 + o.ticks;
      if (action === 'insert') {
        const l: Level = { id: nextId++, side, ticks, size: o.size / per, rev: 0 };
        levels.set(l.id, l);
        data.push(row(l));
        continue;
      }
      const mine = [...levels.values()].filter((l) => l.side === side && !seen.has(l.id));
      const l = mine[o.pick % Math.max(1, mine.length)];
      if (l === undefined) continue;
      seen.add(l.id);
      if (action === 'delete') {
        levels.delete(l.id);
        data.push({ symbol: SYMBOL, id: l.id, side, price: priceOf(l.ticks) });
      } else {
        const moved = o.kind === 'move' ? ticks : l.ticks;
        const m: Level = { ...l, ticks: moved, size: o.size / per, rev: l.rev + 1 };
        levels.set(l.id, m);
        data.push(row(m));
      }
    }
    if (data.length === 0) continue;
    state = reduceTables(state, frame(action, data));
    states.push(state);
    books.push(bookOfState(state));
    versions.push(new Map(levels));
  }
  return { states, books, levels: versions };
}


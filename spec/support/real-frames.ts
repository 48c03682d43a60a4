/**
 * Real recorded BitMEX traffic (../shared/real-frames, read in place, never copied into the
 * project) for the specs that replay it, and the independent model of its order books they
 * compare with: a plain map of levels per table and symbol, sorted when read.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { BookSnapshot, TableFrame } from '../../lib';
import { itWhen } from './skips';

export const REAL_DIR = resolve(__dirname, '../../../shared/real-frames');
export const HAVE_REAL = existsSync(REAL_DIR);
/** One-session L2 captures (the others are lists assembled from several sessions). */
export const SESSIONS = ['cryptofeed-2021-04-05.ndjson', 'cryptofeed-2021-04-17.ndjson', 'cryptofeed-2021-07-22.ndjson', 'coinbook-swift-2021-10-03.ndjson'];
/** Levels per side the model and the books are compared on. */
export const DEPTH = 10;
const L2 = new Set(['orderBookL2', 'orderBookL2_25']);

/** `it` where the recordings exist, else skipped with the reason in the run's last lines. */
export function itReal(testFile: string): jest.It {
  return itWhen(HAVE_REAL, testFile, {
    why: `${REAL_DIR} does not exist (real recorded BitMEX traffic, kept beside the project, never in it)`,
    fix: 'run where ../shared/real-frames sits beside the project checkout',
  });
}

/** The non-empty lines of a recording, as recorded. */
export function recordedLines(file: string): string[] {
  return readFileSync(resolve(REAL_DIR, file), 'utf8').split('\n').filter((line) => line.trim() !== '');
}

interface Level {
  readonly side: string;
  readonly price: number;
  readonly size: number;
}

/** The model: per table and symbol, id:side → level. Pre-2023 updates and deletes carry no price. */
export class Model {
  readonly books = new Map<string, Map<string, Level>>();

  /** Applies a table frame; returns the symbols whose L2 book it touched. */
  apply(f: TableFrame): Set<string> {
    const touched = new Set<string>();
    if (!L2.has(f.table)) return touched;
    const rows = f.data as { symbol: string; id: number; side: string; size?: number; price?: number }[];
    if (f.action === 'partial') {
      const symbol = (f.filter as { symbol?: string } | undefined)?.symbol;
      for (const key of [...this.books.keys()]) {
        if (key.startsWith(`${f.table}|`) && (symbol === undefined || key === `${f.table}|${symbol}`)) {
          this.books.delete(key);
          touched.add(key.slice(f.table.length + 1));
        }
      }
    }
    for (const r of rows) {
      const key = `${f.table}|${r.symbol}`;
      touched.add(r.symbol);
      let book = this.books.get(key);
      if (book === undefined) this.books.set(key, (book = new Map()));
      const id = `${r.id}:${r.side}`;
      const old = book.get(id);
      if (f.action === 'delete') book.delete(id);
      else book.set(id, { side: r.side, price: r.price ?? (old as Level).price, size: r.size ?? (old as Level).size });
    }
    return touched;
  }

  /** The DEPTH best levels of each side, as {@link shown} prints a snapshot. */
  top(table: string, symbol: string): string {
    const bids: Level[] = [];
    const asks: Level[] = [];
    for (const l of this.books.get(`${table}|${symbol}`)?.values() ?? []) {
      if (l.side === 'Buy') keepBest(bids, l, (a, b) => a.price > b.price);
      else keepBest(asks, l, (a, b) => a.price < b.price);
    }
    return text(bids, asks);
  }
}

/** Keeps `best` the DEPTH best levels, best first (a selection: full books hold thousands). */
function keepBest(best: Level[], l: Level, better: (a: Level, b: Level) => boolean): void {
  if (best.length === DEPTH && !better(l, best[DEPTH - 1] as Level)) return;
  let i = best.length;
  while (i > 0 && better(l, best[i - 1] as Level)) i--;
  best.splice(i, 0, l);
  if (best.length > DEPTH) best.pop();
}

function text(bids: readonly { price: number; size: number }[], asks: readonly { price: number; size: number }[]): string {
  const side = (ls: readonly { price: number; size: number }[]) => ls.map((l) => `${l.price}@${l.size}`).join(',');
  return `${side(bids)} | ${side(asks)}`;
}

/** A snapshot's levels as {@link Model.top} prints them. */
export const shown = (b: BookSnapshot | undefined): string => (b === undefined ? ' | ' : text(b.bids, b.asks));

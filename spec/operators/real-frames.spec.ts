/**
 * Real recorded BitMEX sessions (../shared/real-frames, read in place, never copied into the
 * project) replayed through the public operators: after every frame, the top of every book it
 * touched equals an independent model (a plain map of levels, sorted when read), and nothing is
 * reported as inconsistent, unusable or skipped. Runs only where ../shared exists; elsewhere the
 * tests are skipped and the run's last lines say so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { from, lastValueFrom, tap } from 'rxjs';
import { bookOf, parseFrame, reduceFrames, type BookSnapshot, type TableFrame } from '../../lib';
import { itWhen } from '../support/skips';

const REAL_DIR = resolve(__dirname, '../../../shared/real-frames');
const HAVE_REAL = existsSync(REAL_DIR);
/** One-session L2 captures (the others are lists assembled from several sessions). */
const SESSIONS = ['cryptofeed-2021-04-05.ndjson', 'cryptofeed-2021-04-17.ndjson', 'cryptofeed-2021-07-22.ndjson', 'coinbook-swift-2021-10-03.ndjson'];
const L2 = new Set(['orderBookL2', 'orderBookL2_25']);
const DEPTH = 10;

interface Level {
  readonly side: string;
  readonly price: number;
  readonly size: number;
}

/** The model: per table and symbol, id:side → level. Pre-2023 updates and deletes carry no price. */
class Model {
  readonly books = new Map<string, Map<string, Level>>();

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

const shown = (b: BookSnapshot | undefined): string => (b === undefined ? ' | ' : text(b.bids, b.asks));

const itReal = itWhen(HAVE_REAL, __filename, {
  why: `${REAL_DIR} does not exist (real recorded BitMEX traffic, kept beside the project, never in it)`,
  fix: 'run where ../shared/real-frames sits beside the project checkout',
});

describe('real sessions through reduceFrames and bookOf', () => {
  itReal.each(SESSIONS)('%s: every touched book equals the model after every frame; nothing reported', async (file) => {
    const frames: TableFrame[] = [];
    for (const line of readFileSync(resolve(REAL_DIR, file), 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const f = parseFrame(line);
      if (!(f instanceof Error) && f.kind === 'table') frames.push(f);
    }
    const model = new Model();
    let checks = 0;
    const problems: string[] = [];
    let i = 0;
    await lastValueFrom(
      from(frames).pipe(
        reduceFrames(),
        tap((state) => {
          const f = frames[i++] as TableFrame;
          for (const inc of state.inconsistencies) problems.push(`frame ${i}: inconsistent ${inc.table} ${inc.action}`);
          for (const u of state.unusable) problems.push(`frame ${i}: unusable ${u.reason}`);
          for (const s of state.skipped) problems.push(`frame ${i}: skipped ${s.rows.length} ${s.table} rows`);
          for (const symbol of model.apply(f)) {
            checks++;
            const got = shown(bookOf(state, symbol, { table: f.table as 'orderBookL2', depth: DEPTH }));
            const want = model.top(f.table, symbol);
            if (got !== want) problems.push(`frame ${i} ${f.table} ${symbol}: ${got} vs ${want}`);
          }
        }),
      ),
    );
    expect(problems.slice(0, 5)).toEqual([]);
    expect(checks).toBeGreaterThan(20);
  });
});

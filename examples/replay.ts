/**
 * `npx tsx examples/replay.ts recording.ndjson [--depth 10]`
 *
 * Replays a file written by examples/recorder.ts through the operators the live client is built
 * from (`reduceFrames()`, then `bookOf$`), then prints the final order book(s) and a few
 * figures. The `bookOf$` branch is where a backtest would look at each book as it changes
 * (here: it tracks the mid price).
 *
 * In an app, import from 'bitmex-rxjs' instead of '../lib/…'.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { filter, from, groupBy, lastValueFrom, map, merge, mergeMap, share, tap } from 'rxjs';
import {
  bookOf$,
  L2_TABLES,
  reduceFrames,
  rowsOf,
  type BookSnapshot,
  type BookTable,
  type Row,
  type TableAction,
  type TableFrame,
  type TablesState,
} from '../lib';
import { commandLine, run } from './shared';

/** One line of a recording (see examples/recorder.ts). */
interface RecordedChange {
  readonly receivedAt: string;
  readonly table: string;
  readonly action: TableAction;
  readonly symbol?: string;
  readonly keys?: readonly string[];
  readonly rows: readonly Row[];
}

/** What the replay saw of one order book. */
interface BookStats {
  readonly table: BookTable;
  readonly symbol: string;
  changes: number;
  minMid: number;
  maxMid: number;
  /** The latest snapshot of its top `depth` levels. */
  book: BookSnapshot | undefined;
}

const ACTIONS: ReadonlySet<string> = new Set<TableAction>(['partial', 'insert', 'update', 'delete']);

const { positional: file, integer, usage } = commandLine('replay', { depth: '10' }, { live: false, positional: 'recording.ndjson' });
const depth = integer('depth', 1);
if (!existsSync(file)) usage(`no such file: ${file}`);

async function main(): Promise<void> {
  const counts: Record<TableAction, number> = { partial: 0, insert: 0, update: 0, delete: 0 };
  const books = new Map<string, BookStats>();
  let lines = 0;
  let bad = 0;
  let inconsistencies = 0;
  let first: string | undefined;
  let last: string | undefined;
  let final: TablesState | undefined;

  const changes$ = from(createInterface({ input: createReadStream(file), crlfDelay: Infinity })).pipe(
    filter((text) => text.trim() !== ''),
    map((text) => {
      lines++;
      const change = parseLine(text);
      if (change === undefined) bad++;
      return change;
    }),
    filter((change): change is RecordedChange => change !== undefined),
    tap((change) => {
      first ??= change.receivedAt;
      last = change.receivedAt;
      counts[change.action]++;
    }),
    share(),
  );
  // The steps live frames take inside the client: frames, reduceFrames(), operators over states.
  const states$ = changes$.pipe(map(toFrame), reduceFrames(), share());
  // Each order book of the recording is followed with bookOf$ from its first change on (this
  // subscribes before the reducer sees that change). A backtest's strategy would sit here,
  // reading each book as it changes; this one tracks the mid price.
  const books$ = changes$.pipe(
    filter((change): change is RecordedChange & { symbol: string } => L2_TABLES.has(change.table) && change.symbol !== undefined),
    groupBy((change) => `${change.table} ${change.symbol}`),
    mergeMap((group) => {
      const [table, symbol] = group.key.split(' ') as [BookTable, string];
      const stats: BookStats = { table, symbol, changes: 0, minMid: Infinity, maxMid: -Infinity, book: undefined };
      books.set(group.key, stats);
      return merge(
        group.pipe(tap(() => stats.changes++)),
        states$.pipe(
          bookOf$(symbol, { table, depth }),
          tap((book) => {
            stats.book = book;
            const bid = book.bids[0];
            const ask = book.asks[0];
            if (bid === undefined || ask === undefined) return;
            const mid = (bid.price + ask.price) / 2;
            stats.minMid = Math.min(stats.minMid, mid);
            stats.maxMid = Math.max(stats.maxMid, mid);
          }),
        ),
      );
    }),
  );
  const end$ = states$.pipe(
    tap((state) => {
      inconsistencies += state.inconsistencies.length;
      final = state;
    }),
  );
  await lastValueFrom(merge(books$, end$), { defaultValue: undefined });

  const actions = (Object.keys(counts) as TableAction[]).map((a) => `${counts[a]} ${a}`).join(', ');
  console.log(`replayed ${lines - bad} changes from ${file} (${actions}; ${bad} unreadable lines; ${inconsistencies} inconsistencies)`);
  if (first !== undefined) console.log(`recorded from ${first} to ${last}`);
  for (const stats of books.values()) {
    console.log(`\n${stats.table} ${stats.symbol}: ${stats.changes} changes, mid between ${stats.minMid} and ${stats.maxMid}`);
    if (stats.book !== undefined) printBook(stats.book);
  }
  // Trades are a log: the last rows kept (200 per symbol by default), oldest first.
  const trades = final === undefined ? [] : rowsOf(final, 'trade');
  for (const symbol of new Set(trades.map((t) => t.symbol))) {
    const mine = trades.filter((t) => t.symbol === symbol);
    const t = mine[mine.length - 1];
    if (t !== undefined) console.log(`\ntrade ${String(symbol)}: ${mine.length} kept, last ${String(t.side)} ${String(t.size)} @ ${String(t.price)} at ${String(t.timestamp)}`);
  }
}

function parseLine(text: string): RecordedChange | undefined {
  try {
    const v = JSON.parse(text) as Partial<RecordedChange>;
    if (typeof v.table !== 'string' || typeof v.action !== 'string' || !ACTIONS.has(v.action) || !Array.isArray(v.rows)) return undefined;
    return v as RecordedChange;
  } catch {
    return undefined;
  }
}

/** The table frame that has the recorded effect: a partial covers the recorded symbol (or everything). */
function toFrame(c: RecordedChange): TableFrame {
  switch (c.action) {
    case 'partial':
      return { table: c.table, action: 'partial', keys: c.keys ?? [], filter: c.symbol === undefined ? {} : { symbol: c.symbol }, data: c.rows };
    case 'insert':
    case 'update':
    case 'delete':
      return { table: c.table, action: c.action, data: c.rows };
    default: {
      const unreachable: never = c.action;
      return unreachable;
    }
  }
}

function printBook(book: BookSnapshot): void {
  const decimals = Math.max(0, ...[...book.asks, ...book.bids].map((l) => (String(l.price).split('.')[1] ?? '').length));
  const line = (side: string, price: number, size: number): string =>
    `${side}  ${price.toFixed(decimals).padStart(12)}  ${size.toLocaleString('en-US').padStart(12)}`;
  console.log(`book time ${book.timestamp || '-'}`);
  for (const l of [...book.asks].reverse()) console.log(line('ask', l.price, l.size));
  const bid = book.bids[0];
  const ask = book.asks[0];
  if (bid !== undefined && ask !== undefined) console.log(`     spread ${(ask.price - bid.price).toFixed(decimals)}`);
  for (const l of book.bids) console.log(line('bid', l.price, l.size));
}


run(main);

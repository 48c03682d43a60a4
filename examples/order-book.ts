/**
 * `npm start [-- --symbol XBTUSD] [--depth 10] [--group 5] [--endpoint testnet|mainnet|ws://…] [--duration SECONDS]`
 *
 * A live order-book ladder in the terminal: the top levels (or, with `--group`, price buckets of
 * that width) of each side with a depth bar, the spread, the mid, the last trades, the connection
 * status, the frame rate, the server clock offset and the data latency. Without
 * `--endpoint` it starts the embedded simulator (no network needed); with one it follows BitMEX.
 * Ctrl-C (or `--duration`) closes the client and the simulator, and the process exits by itself.
 * When stdout is not a terminal it prints a plain frame once per second instead of redrawing.
 *
 * In an app, import from 'bitmex-rxjs' instead of '../lib/…'. ./shared holds the examples'
 * command-line plumbing: flags, the embedded simulator ('bitmex-rxjs/testing'), a clean stop.
 */
import { auditTime, bufferTime, combineLatest, map, merge, scan, startWith, type Observable } from 'rxjs';
import {
  BitmexWebSocket, type BookLevel, type BookSnapshot, type BookTable, type ClockEstimate, type ConnectionStatus, type LatencyReport, type Trade,
} from '../lib';
import { commandLine, endpointOrSimulator, lifecycle, run } from './shared';

const { flags, integer, usage } = commandLine('order-book', { symbol: 'XBTUSD', depth: '10', group: 'none' });
const symbol = flags.symbol;
const depth = integer('depth', 1);
const group = flags.group === 'none' ? undefined : Number(flags.group);
if (group !== undefined && !(flags.group.trim() !== '' && Number.isFinite(group) && group > 0)) usage(`--group takes a positive price step, got ${flags.group}`);
// orderBookL2_25 carries 25 levels a side: plenty for a ladder and far less traffic than the full
// book. Buckets need the full book.
const table: BookTable = depth <= 25 && group === undefined ? 'orderBookL2_25' : 'orderBookL2';
const tty = process.stdout.isTTY === true;
const TRADES_SHOWN = 5;
const BAR_WIDTH = 30;

/** Everything one frame of the ladder shows. */
interface View {
  readonly book: BookSnapshot | undefined;
  readonly trades: readonly Trade[];
  readonly status: ConnectionStatus;
  readonly framesPerSecond: number;
  readonly lastError: string | undefined;
  readonly clock: ClockEstimate | undefined;
  readonly latency: LatencyReport | undefined;
}

async function main(): Promise<void> {
  const { endpoint, sim } = await endpointOrSimulator(flags.endpoint, { eventsPerTick: 2 });
  const source = sim === undefined ? endpoint : `simulator ${endpoint}`;
  const bitmex = new BitmexWebSocket({ endpoint });

  const view$: Observable<View> = combineLatest({
    // A group that is no multiple of the instrument's tick size ends this stream with a TypeError.
    book: bitmex.book$(symbol, { depth, table, ...(group !== undefined ? { group } : {}) }).pipe(startWith(undefined)),
    trades: bitmex.table$('trade', symbol).pipe(
      scan((last: readonly Trade[], trade) => [trade, ...last].slice(0, TRADES_SHOWN), []),
      startWith([]),
    ),
    status: bitmex.status$,
    // One change batch per frame for a single-symbol topic: counting batches counts frames.
    framesPerSecond: merge(bitmex.changes$(table, symbol), bitmex.changes$('trade', symbol)).pipe(
      bufferTime(1000),
      map((frames) => frames.length),
      startWith(0),
    ),
    lastError: bitmex.errors$.pipe(
      map((e) => e.message),
      startWith(undefined),
    ),
    clock: bitmex.clock$.pipe(startWith(undefined)),
    latency: bitmex.latency$.pipe(startWith(undefined)),
  });

  const life = lifecycle({
    bitmex,
    sim,
    durationS: flags.durationS,
    onStopped: () => {
      if (tty) process.stdout.write('\x1b[?25h\n'); // show the cursor again
    },
  });

  if (tty) process.stdout.write('\x1b[?25l\x1b[2J'); // hide the cursor, clear once
  // At most 10 redraws a second on a terminal; a plain frame a second otherwise.
  life.subscriptions.add(
    view$.pipe(auditTime(tty ? 100 : 1000)).subscribe({
      next: (view) => {
        const lines = render(view, source);
        process.stdout.write(tty ? `\x1b[H${lines.map((l) => `${l}\x1b[K`).join('\n')}\x1b[J` : `${lines.join('\n')}\n\n`);
      },
      error: life.fail,
    }),
  );
}

/** The lines of one frame: header, asks (worst to best), spread and mid, bids (best to worst), trades. */
function render(view: View, source: string): string[] {
  const { book } = view;
  const prices = [...(book?.asks ?? []), ...(book?.bids ?? []), ...view.trades].map((l) => l.price);
  const decimals = Math.max(0, ...prices.map(decimalsOf));
  const color = (code: string, text: string): string => (tty ? `\x1b[${code}m${text}\x1b[0m` : text);
  const clock = view.clock === undefined ? 'clock ?' : `clock ${view.clock.offsetMs >= 0 ? '+' : ''}${Math.round(view.clock.offsetMs)} ms`;
  // latency$ is signed: data faster than the clock estimate's uncertainty (a local simulator, a
  // nearby server) can come out a few ms below zero. Shown as 0: "no measurable latency".
  const ms = (x: number): number => Math.max(0, Math.round(x));
  const latency = view.latency === undefined ? 'latency ?' : `latency ${ms(view.latency.medianMs)} ms (max ${ms(view.latency.maxMs)})`;
  const shown = group === undefined ? `top ${depth}` : `${depth} buckets of ${group}`;
  const lines = [
    `${color('1', `${symbol} ${table}`)}  ${shown}  ·  ${source}  ·  ${view.status}  ·  ${view.framesPerSecond} frames/s  ·  ${clock}  ·  ${latency}`,
    '',
  ];
  if (book === undefined) {
    lines.push('waiting for the order book…');
  } else {
    const maxSize = Math.max(1, ...[...book.asks, ...book.bids].map((l) => l.size));
    const row = (side: 'ask' | 'bid', l: BookLevel): string => {
      const bar = (tty ? '█' : '#').repeat(Math.max(1, Math.round((l.size / maxSize) * BAR_WIDTH)));
      const text = `${side}  ${l.price.toFixed(decimals).padStart(12)}  ${l.size.toLocaleString('en-US').padStart(12)}  `;
      return color(side === 'ask' ? '31' : '32', text + bar);
    };
    lines.push(`       ${'price'.padStart(12)}  ${'size'.padStart(12)}`);
    for (const l of [...book.asks].reverse()) lines.push(row('ask', l));
    const bestBid = book.bids[0];
    const bestAsk = book.asks[0];
    if (bestBid !== undefined && bestAsk !== undefined) {
      const spread = bestAsk.price - bestBid.price;
      const mid = (bestAsk.price + bestBid.price) / 2;
      const bps = (spread / mid) * 10_000;
      lines.push(`     spread ${spread.toFixed(decimals)} (${bps.toFixed(2)} bps)   mid ${mid.toFixed(decimals + 1)}`);
    } else {
      lines.push('     (one side is empty)');
    }
    for (const l of book.bids) lines.push(row('bid', l));
    lines.push('', `book time ${book.timestamp || '-'}`);
  }
  lines.push('', 'last trades:');
  if (view.trades.length === 0) lines.push('  (none yet)');
  for (const t of view.trades) {
    const what = `${t.side.padEnd(4)} ${t.size.toLocaleString('en-US').padStart(12)} @ ${t.price.toFixed(decimals)}`;
    lines.push(`  ${t.timestamp.slice(11, 23)}  ${color(t.side === 'Buy' ? '32' : '31', what)}`);
  }
  if (view.lastError !== undefined) lines.push('', `last problem: ${view.lastError}`);
  if (tty) lines.push('', color('2', 'Ctrl-C to quit'));
  return lines;
}

function decimalsOf(n: number): number {
  const s = String(n);
  const dot = s.indexOf('.');
  return dot < 0 ? 0 : Math.min(8, s.length - dot - 1);
}

run(main);

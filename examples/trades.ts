/**
 * `npx tsx examples/trades.ts [--symbols XBTUSD,ETHUSD] [--endpoint testnet|mainnet|ws://…] [--duration SECONDS]`
 *
 * A multi-symbol trade tape: one line per trade, first the recent trades the partials carry,
 * merged in time order, then the live ones, with prices to the instrument's tick size (from the
 * `instrument` table). Without `--endpoint` it starts the embedded simulator. Ctrl-C (or
 * `--duration`) closes everything and prints per-symbol totals.
 *
 * In an app, import from 'bitmex-rxjs' instead of '../lib/…'. ./shared holds the examples'
 * command-line plumbing: flags, the embedded simulator ('bitmex-rxjs/testing'), a clean stop.
 */
import { BitmexWebSocket, type Trade } from '../lib';
import { commandLine, endpointOrSimulator, lifecycle, run } from './shared';

const { flags, usage } = commandLine('trades', { symbols: 'XBTUSD,ETHUSD' });
const symbols = flags.symbols.split(',').filter((s) => s !== '');
if (symbols.length === 0) usage('--symbols needs at least one symbol');
const tty = process.stdout.isTTY === true;

const TICKS: Readonly<Record<string, string>> = { PlusTick: '▲', ZeroPlusTick: '△', MinusTick: '▼', ZeroMinusTick: '▽' };

/** Running totals of one symbol. */
interface Totals {
  trades: number;
  contracts: number;
  buys: number;
  lastPrice: number | undefined;
}

async function main(): Promise<void> {
  const { endpoint, sim } = await endpointOrSimulator(flags.endpoint, { eventsPerTick: 2 });
  const bitmex = new BitmexWebSocket({ endpoint });
  process.stdout.write(`trade tape for ${symbols.join(', ')} from ${sim === undefined ? endpoint : `the simulator at ${endpoint}`}\n`);

  const totals = new Map<string, Totals>(symbols.map((s) => [s, { trades: 0, contracts: 0, buys: 0, lastPrice: undefined }]));
  const width = Math.max(...symbols.map((s) => s.length));
  // Prices shown with as many decimals as the instrument's tick size has (XBTUSD 0.5 -> 1).
  const decimals = new Map<string, number>();
  const price = (symbol: string, p: number | undefined): string => {
    if (p === undefined) return '-';
    const d = decimals.get(symbol);
    return d === undefined ? String(p) : p.toFixed(d);
  };
  const priceWidth = (): number => Math.max(10, ...symbols.map((s) => price(s, 99_999).length));
  const show = (t: Trade): void => {
    const sum = totals.get(t.symbol);
    if (sum !== undefined) {
      sum.trades++;
      sum.contracts += t.size;
      if (t.side === 'Buy') sum.buys++;
      sum.lastPrice = t.price;
    }
    const line = `${t.timestamp.slice(11, 23)}  ${t.symbol.padEnd(width)}  ${t.side.padEnd(4)} ${t.size.toLocaleString('en-US').padStart(12)} @ ${price(t.symbol, t.price).padStart(priceWidth())} ${TICKS[t.tickDirection] ?? ' '}`;
    process.stdout.write(`${tty ? `\x1b[${t.side === 'Buy' ? '32' : '31'}m${line}\x1b[0m` : line}\n`);
  };

  const printTotals = (): void => {
    process.stdout.write('\ntotals:\n');
    for (const [symbol, t] of totals) {
      const buyShare = t.trades === 0 ? 0 : Math.round((100 * t.buys) / t.trades);
      process.stdout.write(`  ${symbol.padEnd(width)}  ${t.trades} trades, ${t.contracts.toLocaleString('en-US')} contracts, ${buyShare}% buys, last ${price(symbol, t.lastPrice)}\n`);
    }
  };
  const life = lifecycle({ bitmex, sim, durationS: flags.durationS, onStopped: printTotals });

  // The tape starts with the recent trades each symbol's partial carries, merged in time order
  // once every partial and every instrument (for its tick size) is in; live trades follow.
  const waitingFor = new Set(symbols.flatMap((s) => [`trade:${s}`, `instrument:${s}`]));
  let held: Trade[] = [];
  const lastShown = new Map<string, string>();
  const release = (done: string): void => {
    if (!waitingFor.delete(done) || waitingFor.size > 0) return;
    for (const t of held.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0))) show(t);
    held = [];
  };
  const onTrades = (symbol: string, action: string, rows: readonly Trade[]): void => {
    // After a reconnect the fresh partial repeats trades already on the tape.
    const fresh = action === 'partial' ? rows.filter((t) => t.timestamp > (lastShown.get(symbol) ?? '')) : rows;
    for (const t of fresh) lastShown.set(symbol, t.timestamp);
    if (waitingFor.size > 0) held.push(...fresh);
    else for (const t of fresh) show(t);
    if (action === 'partial') release(`trade:${symbol}`);
  };

  life.subscriptions.add(
    bitmex.table$('instrument', symbols).subscribe({
      next: (i) => {
        if (i.tickSize > 0) decimals.set(i.symbol, Math.max(0, -Math.floor(Math.log10(i.tickSize) + 1e-9)));
        release(`instrument:${i.symbol}`);
      },
      error: life.fail,
    }),
  );
  for (const symbol of symbols) {
    life.subscriptions.add(
      // changes$ says which rows came with a partial; its rows are untyped (any table's), these are trades.
      bitmex.changes$('trade', symbol).subscribe({ next: (c) => onTrades(symbol, c.action, c.rows as readonly unknown[] as readonly Trade[]), error: life.fail }),
    );
  }
  bitmex.errors$.subscribe((e) => process.stderr.write(`problem: ${e.message}\n`));
}

run(main);

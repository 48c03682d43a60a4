/**
 * `npx tsx examples/trades.ts [--symbols XBTUSD,ETHUSD] [--endpoint testnet|mainnet|ws://…] [--duration SECONDS]`
 *
 * A multi-symbol trade tape: one line per trade from `table$('trade', symbols)`, which first
 * replays the trades the partial carried, then the live ones. Without `--endpoint` it starts the
 * embedded simulator. Ctrl-C (or `--duration`) closes everything and prints per-symbol totals.
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
  const onTrade = (t: Trade): void => {
    const sum = totals.get(t.symbol);
    if (sum !== undefined) {
      sum.trades++;
      sum.contracts += t.size ?? 0;
      if (t.side === 'Buy') sum.buys++;
      sum.lastPrice = t.price ?? sum.lastPrice;
    }
    const tick = t.tickDirection === undefined ? ' ' : TICKS[t.tickDirection] ?? ' ';
    const line = `${t.timestamp.slice(11, 23)}  ${t.symbol.padEnd(width)}  ${(t.side ?? '?').padEnd(4)} ${(t.size?.toLocaleString('en-US') ?? '?').padStart(12)} @ ${String(t.price ?? '?').padEnd(10)} ${tick}`;
    const colored = tty && t.side !== undefined ? `\x1b[${t.side === 'Buy' ? '32' : '31'}m${line}\x1b[0m` : line;
    process.stdout.write(`${colored}\n`);
  };

  const printTotals = (): void => {
    process.stdout.write('\ntotals:\n');
    for (const [symbol, t] of totals) {
      const buyShare = t.trades === 0 ? 0 : Math.round((100 * t.buys) / t.trades);
      process.stdout.write(`  ${symbol.padEnd(width)}  ${t.trades} trades, ${t.contracts.toLocaleString('en-US')} contracts, ${buyShare}% buys, last ${t.lastPrice ?? '-'}\n`);
    }
  };
  const life = lifecycle({ bitmex, sim, durationS: flags.durationS, onStopped: printTotals });

  life.subscriptions.add(bitmex.table$('trade', symbols).subscribe({ next: onTrade, error: life.fail }));
  bitmex.errors$.subscribe((e) => process.stderr.write(`problem: ${e.message}\n`));
}

run(main);

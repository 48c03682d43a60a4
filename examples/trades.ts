/**
 * `npx tsx examples/trades.ts [--symbols XBTUSD,ETHUSD] [--endpoint testnet|mainnet|ws://…] [--duration SECONDS]`
 *
 * A multi-symbol trade tape: one line per trade from `table$('trade', symbols)`, which first
 * replays the trades the partial carried, then the live ones. Without `--endpoint` it starts the
 * embedded simulator. Ctrl-C (or `--duration`) closes everything and prints per-symbol totals.
 *
 * In an app, import from 'bitmex-rxjs' and 'bitmex-rxjs/testing' instead of '../lib/…'.
 */
import { parseArgs } from 'node:util';
import type { Subscription } from 'rxjs';
import { BitmexWebSocket, type Trade } from '../lib/index';
import { BitmexSimulator } from '../lib/testing';

const flags = parseFlags();
const symbols = flags.symbols.split(',').filter((s) => s !== '');
if (symbols.length === 0) usage('--symbols needs at least one symbol');
const durationS = flags.duration === undefined ? undefined : Number(flags.duration);
if (durationS !== undefined && !(durationS > 0)) usage(`--duration takes a positive number, got ${flags.duration}`);
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
  const sim =
    flags.endpoint === undefined ? new BitmexSimulator({ symbols, tickMs: 50, eventsPerTick: 2, seed: Date.now() % 1_000_000 }) : undefined;
  const endpoint = sim === undefined ? (flags.endpoint as string) : (await sim.start()).url;
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

  let subscription: Subscription | undefined;
  let stopping = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = async (exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    subscription?.unsubscribe();
    await bitmex.close();
    await sim?.stop();
    process.stdout.write('\ntotals:\n');
    for (const [symbol, t] of totals) {
      const buyShare = t.trades === 0 ? 0 : Math.round((100 * t.buys) / t.trades);
      process.stdout.write(`  ${symbol.padEnd(width)}  ${t.trades} trades, ${t.contracts.toLocaleString('en-US')} contracts, ${buyShare}% buys, last ${t.lastPrice ?? '-'}\n`);
    }
    process.exitCode = exitCode;
  };
  const onSignal = (): void => void stop(0);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed pipe (e.g. `| head`) ends the demo instead of crashing it.
  process.stdout.on('error', onSignal);
  if (durationS !== undefined) timer = setTimeout(onSignal, durationS * 1000);

  subscription = bitmex.table$('trade', symbols).subscribe({
    next: onTrade,
    error: (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      void stop(1);
    },
  });
  bitmex.errors$.subscribe((e) => process.stderr.write(`problem: ${e.message}\n`));
}

function parseFlags(): { symbols: string; endpoint?: string; duration?: string } {
  try {
    return parseArgs({
      options: {
        symbols: { type: 'string', default: 'XBTUSD,ETHUSD' },
        endpoint: { type: 'string' },
        duration: { type: 'string' },
      },
    }).values;
  } catch (e) {
    return usage((e as Error).message);
  }
}

function usage(problem: string): never {
  process.stderr.write(`${problem}\nusage: trades [--symbols XBTUSD,ETHUSD] [--endpoint testnet|mainnet|ws://…] [--duration SECONDS]\n`);
  process.exit(2);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});

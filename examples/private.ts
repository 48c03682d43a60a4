/**
 * `BITMEX_API_KEY=… BITMEX_API_SECRET=… npx tsx examples/private.ts [--endpoint testnet|mainnet|ws://…] [--duration SECONDS]`
 *
 * Your orders and positions, live, with the dead man's switch armed: the client sends
 * `cancelAllAfter 60000` right after authenticating and every 15 s, so if this process dies or
 * loses the network, BitMEX cancels your open orders within a minute. Closing the client
 * disarms it.
 *
 * With keys from the environment it connects to testnet unless `--endpoint` says otherwise.
 * With no keys and no `--endpoint` it starts the embedded simulator with a generated key pair, so
 * it demonstrates itself offline. The secret is never printed.
 *
 * In an app, import from 'bitmex-rxjs' and 'bitmex-rxjs/testing' instead of '../lib/…'.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { interval, merge, type Subscription } from 'rxjs';
import { BitmexWebSocket, type Order, type Position } from '../lib/index';
import { BitmexSimulator } from '../lib/testing';

const DEAD_MANS_SWITCH_MS = 60_000;
const SUMMARY_EVERY_MS = 5_000;

const flags = parseFlags();
const durationS = flags.duration === undefined ? undefined : Number(flags.duration);
if (durationS !== undefined && !(durationS > 0)) usage(`--duration takes a positive number, got ${flags.duration}`);

async function main(): Promise<void> {
  const envKey = process.env.BITMEX_API_KEY;
  const envSecret = process.env.BITMEX_API_SECRET;
  if ((envKey === undefined || envKey === '') !== (envSecret === undefined || envSecret === '')) {
    usage('set both BITMEX_API_KEY and BITMEX_API_SECRET, or neither (then the simulator is used)');
  }
  let sim: BitmexSimulator | undefined;
  let credentials: { apiKey: string; apiSecret: string };
  let endpoint: string;
  if (envKey !== undefined && envKey !== '' && envSecret !== undefined) {
    credentials = { apiKey: envKey, apiSecret: envSecret };
    endpoint = flags.endpoint ?? 'testnet';
  } else if (flags.endpoint === undefined) {
    // A throwaway key pair the simulator will accept: nothing real is at stake.
    credentials = { apiKey: randomBytes(12).toString('hex'), apiSecret: randomBytes(24).toString('base64url') };
    sim = new BitmexSimulator({
      apiKeys: { [credentials.apiKey]: credentials.apiSecret },
      tickMs: 50,
      privateEventRate: 0.3,
      seed: Date.now() % 1_000_000,
    });
    endpoint = (await sim.start()).url;
  } else {
    return usage('--endpoint needs BITMEX_API_KEY and BITMEX_API_SECRET in the environment');
  }

  const bitmex = new BitmexWebSocket({ endpoint, ...credentials, deadMansSwitch: DEAD_MANS_SWITCH_MS });
  const where = sim === undefined ? endpoint : `the simulator at ${endpoint} (generated key pair)`;
  say(`connecting to ${where} with API key ${mask(credentials.apiKey)}`);

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
    await bitmex.close(); // sends cancelAllAfter 0 first: the switch is disarmed
    await sim?.stop();
    say(exitCode === 0 ? "closed; dead man's switch disarmed" : 'closed');
    process.exitCode = exitCode;
  };
  const onSignal = (): void => void stop(0);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed pipe (e.g. `| head`) ends the demo instead of crashing it.
  process.stdout.on('error', onSignal);
  if (durationS !== undefined) timer = setTimeout(onSignal, durationS * 1000);

  try {
    await bitmex.connect(); // resolves once authenticated; rejects with the reason otherwise
  } catch (e) {
    process.stderr.write(`could not connect: ${e instanceof Error ? e.message : String(e)}\n`);
    return stop(1);
  }
  say(`authenticated; dead man's switch: cancelAllAfter ${DEAD_MANS_SWITCH_MS / 1000} s, re-armed every 15 s`);

  // Position rows update on every mark price move: print only when the quantity changes.
  const shownQty = new Map<string, number | undefined>();
  subscription = merge(
    bitmex.table$('order'),
    bitmex.table$('position'),
    interval(SUMMARY_EVERY_MS),
  ).subscribe({
    next: (item) => {
      if (typeof item === 'number') summary(bitmex);
      else if ('orderID' in item) say(describeOrder(item));
      else if (!shownQty.has(item.symbol) || shownQty.get(item.symbol) !== item.currentQty) {
        shownQty.set(item.symbol, item.currentQty);
        say(describePosition(item));
      }
    },
    error: (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      void stop(1);
    },
  });
  bitmex.errors$.subscribe((e) => process.stderr.write(`problem: ${e.message}\n`));
}

function summary(bitmex: BitmexWebSocket): void {
  const open = bitmex.storage.rows('order').filter((o) => (o.leavesQty ?? 0) > 0).length;
  const positions = bitmex.storage
    .rows('position')
    .filter((p) => (p.currentQty ?? 0) !== 0)
    .map((p) => `${p.symbol} ${signed(p.currentQty ?? 0)}`);
  const cancelAt = bitmex.cancelTime?.toISOString().slice(11, 19) ?? 'not armed';
  say(`-- ${open} open orders; positions: ${positions.join(', ') || 'none'}; orders cancel at ${cancelAt} unless re-armed`);
}

function describeOrder(o: Order): string {
  const qty = o.orderQty === undefined ? '' : ` ${o.orderQty.toLocaleString('en-US')}`;
  const price = o.price === undefined ? '' : ` @ ${o.price}`;
  const leaves = o.leavesQty === undefined ? '' : `, leaves ${o.leavesQty.toLocaleString('en-US')}`;
  return `order    ${o.orderID.slice(0, 8)} ${o.side ?? ''}${qty} ${o.symbol ?? ''}${price} ${o.ordType ?? ''}: ${o.ordStatus ?? 'updated'}${leaves}`;
}

function describePosition(p: Position): string {
  const entry = p.avgEntryPrice === undefined ? '' : ` avg entry ${p.avgEntryPrice}`;
  const pnl = p.unrealisedPnl === undefined ? '' : `, unrealised ${p.unrealisedPnl} ${p.currency ?? ''}`;
  return `position ${p.symbol} ${signed(p.currentQty ?? 0)}${entry}${pnl}`;
}

function signed(n: number): string {
  return n > 0 ? `+${n.toLocaleString('en-US')}` : n.toLocaleString('en-US');
}

/** Enough of a key to recognise it, never the whole of it. */
function mask(apiKey: string): string {
  return `${apiKey.slice(0, 4)}…(${apiKey.length} chars)`;
}

function say(line: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 23)}  ${line}\n`);
}

function parseFlags(): { endpoint?: string; duration?: string } {
  try {
    return parseArgs({ options: { endpoint: { type: 'string' }, duration: { type: 'string' } } }).values;
  } catch (e) {
    return usage((e as Error).message);
  }
}

function usage(problem: string): never {
  process.stderr.write(
    `${problem}\nusage: [BITMEX_API_KEY=… BITMEX_API_SECRET=…] private [--endpoint testnet|mainnet|ws://…] [--duration SECONDS]\n`,
  );
  process.exit(2);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});

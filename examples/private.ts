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
 * In an app, import from 'bitmex-rxjs' instead of '../lib/…'. ./shared holds the examples'
 * command-line plumbing: flags, the embedded simulator ('bitmex-rxjs/testing'), a clean stop.
 */
import { randomBytes } from 'node:crypto';
import { interval, merge } from 'rxjs';
import { BitmexWebSocket, type Order, type Position } from '../lib';
import { commandLine, lifecycle, messageOf, run, startSimulator, type Target } from './shared';

const DEAD_MANS_SWITCH_MS = 60_000;
const SUMMARY_EVERY_MS = 5_000;

const { flags, usage } = commandLine('[BITMEX_API_KEY=… BITMEX_API_SECRET=…] private', {});

async function main(): Promise<void> {
  const envKey = process.env.BITMEX_API_KEY;
  const envSecret = process.env.BITMEX_API_SECRET;
  if ((envKey === undefined || envKey === '') !== (envSecret === undefined || envSecret === '')) {
    usage('set both BITMEX_API_KEY and BITMEX_API_SECRET, or neither (then the simulator is used)');
  }
  let credentials: { apiKey: string; apiSecret: string };
  let target: Target;
  if (envKey !== undefined && envKey !== '' && envSecret !== undefined) {
    credentials = { apiKey: envKey, apiSecret: envSecret };
    target = { endpoint: flags.endpoint ?? 'testnet', sim: undefined };
  } else if (flags.endpoint === undefined) {
    // A throwaway key pair the simulator will accept: nothing real is at stake.
    credentials = { apiKey: randomBytes(12).toString('hex'), apiSecret: randomBytes(24).toString('base64url') };
    target = await startSimulator({ apiKeys: { [credentials.apiKey]: credentials.apiSecret }, privateEventRate: 0.3 });
  } else {
    return usage('--endpoint needs BITMEX_API_KEY and BITMEX_API_SECRET in the environment');
  }

  const { endpoint, sim } = target;
  const bitmex = new BitmexWebSocket({ endpoint, ...credentials, deadMansSwitch: DEAD_MANS_SWITCH_MS });
  const where = sim === undefined ? endpoint : `the simulator at ${endpoint} (generated key pair)`;
  say(`connecting to ${where} with API key ${mask(credentials.apiKey)}`);

  // Stopping closes the client, which sends cancelAllAfter 0 first: the switch is disarmed.
  const life = lifecycle({
    bitmex,
    sim,
    durationS: flags.durationS,
    onStopped: (exitCode) => say(exitCode === 0 ? "closed; dead man's switch disarmed" : 'closed'),
  });

  try {
    await bitmex.connect(); // resolves once authenticated; rejects with the reason otherwise
  } catch (e) {
    process.stderr.write(`could not connect: ${messageOf(e)}\n`);
    return life.stop(1);
  }
  say(`authenticated; dead man's switch: cancelAllAfter ${DEAD_MANS_SWITCH_MS / 1000} s, re-armed every 15 s`);

  // Position rows update on every mark price move: print only when the quantity changes.
  const shownQty = new Map<string, number | undefined>();
  const updates = merge(
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
    error: life.fail,
  });
  life.subscriptions.add(updates);
  bitmex.errors$.subscribe((e) => process.stderr.write(`problem: ${e.message}\n`));
}

function summary(bitmex: BitmexWebSocket): void {
  const open = bitmex.storage.rows('order').filter((o) => o.leavesQty > 0).length;
  const positions = bitmex.storage
    .rows('position')
    .filter((p) => p.currentQty !== 0)
    .map((p) => `${p.symbol} ${signed(p.currentQty)}`);
  const cancelAt = bitmex.cancelTime?.toISOString().slice(11, 19) ?? 'not armed';
  say(`-- ${open} open orders; positions: ${positions.join(', ') || 'none'}; orders cancel at ${cancelAt} unless re-armed`);
}

function describeOrder(o: Order): string {
  const price = o.price === undefined ? '' : ` @ ${o.price}`;
  return `order    ${o.orderID.slice(0, 8)} ${o.side} ${o.orderQty.toLocaleString('en-US')} ${o.symbol}${price} ${o.ordType}: ${o.ordStatus}, leaves ${o.leavesQty.toLocaleString('en-US')}`;
}

function describePosition(p: Position): string {
  const entry = p.avgEntryPrice === undefined ? '' : ` avg entry ${p.avgEntryPrice}`;
  const pnl = `, unrealised ${p.unrealisedPnl} ${p.currency}`;
  return `position ${p.symbol} ${signed(p.currentQty)}${entry}${pnl}`;
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

run(main);

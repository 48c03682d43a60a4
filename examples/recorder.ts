/**
 * `npx tsx examples/recorder.ts [--topics orderBookL2_25:XBTUSD,trade:XBTUSD] [--out recording.ndjson]
 *   [--endpoint testnet|mainnet|ws://…] [--duration SECONDS]`
 *
 * Appends every change of the chosen topics to an NDJSON file, one object per line:
 * `{ receivedAt, table, action, symbol?, rows }` (plus `keys` on partials, so keyed tables replay
 * right). It records `changes$`, i.e. what the client applied: after a reconnect the fresh
 * partial is recorded as a `partial`, so a replay starts that image over exactly as the client
 * did. Replay a file with examples/replay.ts. Without `--endpoint` it records the embedded
 * simulator.
 *
 * In an app, import from 'bitmex-rxjs' and 'bitmex-rxjs/testing' instead of '../lib/…'.
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { merge, type Subscription } from 'rxjs';
import { BitmexWebSocket, splitTopic, type Change } from '../lib/index';
import { BitmexSimulator } from '../lib/testing';

/** One line of the recording. */
interface RecordedChange {
  /** When the client applied the frame (ISO-8601, local clock). */
  readonly receivedAt: string;
  readonly table: string;
  readonly action: Change['action'];
  readonly symbol?: string;
  /** Key columns of the table (partials only). */
  readonly keys?: readonly string[];
  readonly rows: Change['rows'];
}

const flags = parseFlags();
const topics = flags.topics.split(',').filter((t) => t !== '');
if (topics.length === 0) usage('--topics needs at least one topic');
const durationS = flags.duration === undefined ? undefined : Number(flags.duration);
if (durationS !== undefined && !(durationS > 0)) usage(`--duration takes a positive number, got ${flags.duration}`);

async function main(): Promise<void> {
  const symbols = [...new Set(topics.map((t) => splitTopic(t).symbol).filter((s): s is string => s !== undefined && s !== '*'))];
  const sim =
    flags.endpoint === undefined
      ? new BitmexSimulator({ ...(symbols.length > 0 ? { symbols } : {}), tickMs: 50, eventsPerTick: 2, seed: Date.now() % 1_000_000 })
      : undefined;
  const endpoint = sim === undefined ? (flags.endpoint as string) : (await sim.start()).url;
  const bitmex = new BitmexWebSocket({ endpoint });
  const out = createWriteStream(flags.out, { flags: 'a' });
  let lines = 0;

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
    await new Promise<void>((resolve) => out.end(resolve));
    process.stderr.write(`recorded ${lines} changes to ${flags.out}\n`);
    process.exitCode = exitCode;
  };
  const onSignal = (): void => void stop(0);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (durationS !== undefined) timer = setTimeout(onSignal, durationS * 1000);
  out.on('error', (e) => {
    process.stderr.write(`cannot write ${flags.out}: ${e.message}\n`);
    void stop(1);
  });

  const source = sim === undefined ? endpoint : `the simulator at ${endpoint}`;
  process.stderr.write(`recording ${topics.join(', ')} from ${source} to ${flags.out}\n`);
  const streams = topics.map((topic) => {
    const { table, symbol } = splitTopic(topic);
    return bitmex.changes$(table, symbol === '*' ? undefined : symbol);
  });
  subscription = merge(...streams).subscribe({
    next: (change) => {
      const keys = change.action === 'partial' ? bitmex.storage.keys(change.table) : undefined;
      const line: RecordedChange = {
        receivedAt: new Date().toISOString(),
        table: change.table,
        action: change.action,
        ...(change.symbol !== undefined ? { symbol: change.symbol } : {}),
        ...(keys !== undefined ? { keys } : {}),
        rows: change.rows,
      };
      out.write(`${JSON.stringify(line)}\n`);
      lines++;
    },
    error: (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
      void stop(1);
    },
  });
  bitmex.errors$.subscribe((e) => process.stderr.write(`problem: ${e.message}\n`));
}

function parseFlags(): { topics: string; out: string; endpoint?: string; duration?: string } {
  try {
    return parseArgs({
      options: {
        topics: { type: 'string', default: 'orderBookL2_25:XBTUSD,trade:XBTUSD' },
        out: { type: 'string', default: 'recording.ndjson' },
        endpoint: { type: 'string' },
        duration: { type: 'string' },
      },
    }).values;
  } catch (e) {
    return usage((e as Error).message);
  }
}

function usage(problem: string): never {
  process.stderr.write(
    `${problem}\nusage: recorder [--topics orderBookL2_25:XBTUSD,trade:XBTUSD] [--out recording.ndjson] [--endpoint testnet|mainnet|ws://…] [--duration SECONDS]\n`,
  );
  process.exit(2);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});

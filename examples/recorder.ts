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
 * In an app, import from 'bitmex-rxjs' instead of '../lib/…'. ./shared holds the examples'
 * command-line plumbing: flags, the embedded simulator ('bitmex-rxjs/testing'), a clean stop.
 */
import { createWriteStream } from 'node:fs';
import { merge } from 'rxjs';
import { BitmexWebSocket, splitTopic, type Change } from '../lib';
import { commandLine, endpointOrSimulator, lifecycle, run } from './shared';

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

const { flags, usage } = commandLine('recorder', { topics: 'orderBookL2_25:XBTUSD,trade:XBTUSD', out: 'recording.ndjson' });
const topics = flags.topics.split(',').filter((t) => t !== '');
if (topics.length === 0) usage('--topics needs at least one topic');

async function main(): Promise<void> {
  const { endpoint, sim } = await endpointOrSimulator(flags.endpoint, { eventsPerTick: 2 });
  const bitmex = new BitmexWebSocket({ endpoint });
  const out = createWriteStream(flags.out, { flags: 'a' });
  let lines = 0;

  const life = lifecycle({
    bitmex,
    sim,
    durationS: flags.durationS,
    onStopped: async () => {
      await new Promise<void>((resolve) => out.end(resolve));
      process.stderr.write(`recorded ${lines} changes to ${flags.out}\n`);
    },
  });
  out.on('error', (e) => {
    process.stderr.write(`cannot write ${flags.out}: ${e.message}\n`);
    void life.stop(1);
  });

  const source = sim === undefined ? endpoint : `the simulator at ${endpoint}`;
  process.stderr.write(`recording ${topics.join(', ')} from ${source} to ${flags.out}\n`);
  const streams = topics.map((topic) => {
    const { table, symbol } = splitTopic(topic);
    return bitmex.changes$(table, symbol === '*' ? undefined : symbol);
  });
  const recording = merge(...streams).subscribe({
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
    error: life.fail,
  });
  life.subscriptions.add(recording);
  bitmex.errors$.subscribe((e) => process.stderr.write(`problem: ${e.message}\n`));
}

run(main);

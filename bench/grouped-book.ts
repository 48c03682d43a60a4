/**
 * Grouped `book$` against plain `book$`, end to end through the client: the same orderBookL2
 * traffic (bench/frames.ts: a 2 x 5,000-level XBTUSD book, 1–4 rows per frame, mostly near the
 * top) goes as text through a stand-in socket into `BitmexWebSocket` (parse, session, topics,
 * reducer, view) to one subscriber of
 *
 * - (u) `book$('XBTUSD', { depth: 25 })`, and
 * - (g) `book$('XBTUSD', { depth: 25, group: 10, tickSize: 0.5 })`: 25 buckets of 20 ticks a side.
 *
 * Each repetition builds a fresh client per case and delivers the partial to both, then the
 * delta frames in blocks of 500, each block to one client and then the other (timed apart, the
 * order alternating), so that a change in the machine's load hits both alike; the figure is the
 * median over repetitions of g's time over u's in the same repetition (process CPU time, a
 * young-generation GC at the end of each block included). With both cases plain (an A/A run)
 * this reads 0.99. Figures: bench/README.md.
 *
 * ```sh
 * npm run bench -- --case=grouped [--grouped-reps=9] [--grouped-rows=60000]   # also part of the default run
 * node --expose-gc --import tsx bench/grouped-book.ts [--reps=9] [--rows=60000]
 * ```
 * Target (issue 16): g / u <= 1.2. Not part of the tests.
 * @module
 */
import { BitmexWebSocket, type WebSocketCtor } from '../lib';
import { BenchSocket, timeBlocks } from './bench-socket';
import { buildFrames, type BenchFrames } from './frames';

interface Case {
  readonly name: string;
  readonly options: { depth: number; group?: number; tickSize?: number };
}

const CASES: readonly Case[] = [
  { name: "(u) book$('XBTUSD', { depth: 25 })", options: { depth: 25 } },
  { name: "(g) book$('XBTUSD', { depth: 25, group: 10 })", options: { depth: 25, group: 10, tickSize: 0.5 } },
];

type Gc = (options?: { type: 'major' | 'minor' }) => void;

function gc(type: 'major' | 'minor' = 'major'): void {
  (globalThis as { gc?: Gc }).gc?.({ type });
}

/** A client with one `book$` subscriber, fed through its own socket. */
interface Running {
  readonly client: BitmexWebSocket;
  socket: BenchSocket | undefined;
  stop: () => void;
  /** Snapshots received since the book arrived. */
  emitted: number;
}

/** A fresh client for case `c`, once its book has arrived. */
async function start(c: Case): Promise<Running> {
  const client = new BitmexWebSocket({ endpoint: 'ws://127.0.0.1:9/realtime', heartbeat: false, WebSocketCtor: BenchSocket as unknown as WebSocketCtor });
  const run: Running = { client, socket: undefined, stop: () => undefined, emitted: 0 };
  await new Promise<void>((ready) => {
    const sub = client.book$('XBTUSD', c.options).subscribe(() => {
      if (run.emitted++ === 0) ready();
    });
    run.stop = () => sub.unsubscribe();
  });
  run.socket = BenchSocket.last;
  run.emitted = 0;
  return run;
}

/** Frames per timed block: short enough that load changes hit both cases alike. */
const BLOCK = 500;

/**
 * One run: a fresh client per case (made in turn, the first alternating), then the delta frames in blocks of {@link BLOCK}, each block
 * to both clients one after the other (which goes first alternates), timed per block (process
 * CPU time). Returns each case's CPU µs and snapshots.
 */
async function runPair(frames: BenchFrames, count: number, rep: number): Promise<{ cpuUs: number[]; emitted: number[] }> {
  const runs: Running[] = new Array<Running>(CASES.length);
  // Which client is made first alternates too.
  for (let k = 0; k < CASES.length; k++) {
    const i = rep % 2 === 0 ? k : CASES.length - 1 - k;
    runs[i] = await start(CASES[i] as Case);
  }
  gc();
  const cpuUs = timeBlocks(runs.map((r) => r.socket as BenchSocket), frames.frames, BLOCK, false);
  const emitted = runs.map((r) => r.emitted);
  for (const r of runs) {
    r.stop();
    await r.client.close();
  }
  return { cpuUs, emitted };
}

function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : Number(hit.slice(name.length + 3));
}

/** Options of {@link runGroupedBench}. */
export interface GroupedBenchOptions {
  /** Timed runs per case (default 9), after one warm-up run each. */
  readonly reps?: number;
  /** Rows of delta traffic (default 60,000: ~39,000 frames). */
  readonly rows?: number;
}

/** What {@link runGroupedBench} measured. */
export interface GroupedBenchResult {
  /** Median over runs of g's CPU time over u's in the same run. */
  readonly ratio: number;
  /** Each run's g / u. */
  readonly ratios: readonly number[];
  /** Median CPU µs per frame of u and g. */
  readonly plainUs: number;
  readonly groupedUs: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Runs the two cases, alternating, and prints per-frame costs and each run's ratio. */
export async function runGroupedBench(options: GroupedBenchOptions = {}): Promise<GroupedBenchResult> {
  const reps = options.reps ?? 9;
  const frames = buildFrames({ rows: options.rows ?? 60_000 });
  BenchSocket.partial = frames.partial;
  const count = frames.frames.length;
  console.log(`grouped book$: ${frames.levels} levels, ${count} delta frames per run in blocks of ${BLOCK} to each case in turn, ${reps} runs (+1 warm-up)`);
  const times: number[][] = CASES.map(() => []);
  let emitted: number[] = [];
  for (let r = 0; r <= reps; r++) {
    const res = await runPair(frames, count, r);
    if (r > 0) res.cpuUs.forEach((us, i) => (times[i] as number[]).push(us));
    emitted = res.emitted;
  }
  const us = CASES.map((c, i) => {
    const perFrame = median(times[i] as number[]) / count;
    console.log(`  ${c.name.padEnd(48)} ${perFrame.toFixed(2).padStart(7)} µs/frame CPU   ${emitted[i]} snapshots`);
    return perFrame;
  });
  const ratios = (times[1] as number[]).map((g, k) => g / ((times[0] as number[])[k] as number));
  console.log(`  g / u of each run: ${ratios.map((x) => x.toFixed(2)).join(' ')}`);
  return { ratio: median(ratios), ratios, plainUs: us[0] as number, groupedUs: us[1] as number };
}

if (require.main === module) {
  runGroupedBench({ reps: arg('reps', 9), rows: arg('rows', 60_000) })
    .then((r) => console.log(`ratio grouped / plain book$, CPU per frame (median of paired runs): ${r.ratio.toFixed(2)}   (target <= 1.2)`))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}

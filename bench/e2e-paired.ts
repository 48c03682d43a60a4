/**
 * Two versions of the client side by side in one process: the working tree (`new`) against a
 * git revision (`base`, default `main`), each bundled from its own lib/ (packages shared from
 * node_modules), each a `BitmexWebSocket` with one `book$('XBTUSD')` (or `changes$`) subscriber
 * fed the same orderBookL2 traffic as text through a stand-in socket (bench/bench-socket.ts:
 * parse, session, topics, reducer, view; no `ws`). The delta frames go in blocks of 500, each
 * block to one client and then the other (the order alternating, and which client is made first
 * too), each block timed in process CPU time including a young-generation GC at its end, as
 * bench/grouped-book.ts does. Per run: new / base; the figure is the median over runs. On a
 * shared machine this is far steadier than fresh processes over loopback (bench/e2e-ab.ts),
 * which remain the measure of b/a itself.
 *
 * ```sh
 * node --expose-gc --import tsx bench/e2e-paired.ts [--base=main] [--reps=9] [--rows=60000] [--changes] [--lib=DIR]
 * ```
 * With `--base=HEAD` and a clean tree it is an A/A run (reads about 1.00). `--lib=DIR` takes `new`
 * from another lib/ folder (an experiment kept out of the tree).
 * @module
 */
import { execSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import type { Observable } from 'rxjs';
import type { BitmexWebSocket, WebSocketCtor } from '../lib';
import { BenchSocket, timeBlocks } from './bench-socket';
import { buildFrames, type BenchFrames } from './frames';

type Lib = { readonly BitmexWebSocket: typeof BitmexWebSocket };

const ROOT = resolve(__dirname, '..');
const DIR = join(ROOT, '.tmp', 'e2e-paired');
/** Frames per timed block: short enough that load changes hit both cases alike. */
const BLOCK = 500;

function flag(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function gc(type: 'major' | 'minor'): void {
  const g = (globalThis as { gc?: (o: { type: string }) => void }).gc;
  if (g === undefined) throw new Error('run with node --expose-gc');
  g({ type });
}

/** Bundles `entry` (a lib/index.ts) to `out` and loads it. */
function load(entry: string, out: string): Lib {
  buildSync({ entryPoints: [entry], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node18', packages: 'external', logLevel: 'warning' });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(out) as Lib;
}

interface Running {
  socket: BenchSocket | undefined;
  stop: () => Promise<void>;
  emitted: number;
}

/** A client of `lib` with one subscriber, once the partial has arrived. */
async function start(lib: Lib, changes: boolean): Promise<Running> {
  const client = new lib.BitmexWebSocket({ endpoint: 'ws://127.0.0.1:9/realtime', heartbeat: false, WebSocketCtor: BenchSocket as unknown as WebSocketCtor });
  const run: Running = { socket: undefined, stop: () => client.close(), emitted: 0 };
  await new Promise<void>((ready) => {
    const on = (): void => {
      if (run.emitted++ === 0) ready();
    };
    const stream: Observable<unknown> = changes ? client.changes$('orderBookL2', 'XBTUSD') : client.book$('XBTUSD');
    const sub = stream.subscribe(on);
    run.stop = async () => {
      sub.unsubscribe();
      await client.close();
    };
  });
  run.socket = BenchSocket.last;
  run.emitted = 0;
  return run;
}

async function runPair(libs: readonly Lib[], frames: BenchFrames, rep: number, changes: boolean): Promise<{ cpuUs: number[]; emitted: number[] }> {
  const runs: Running[] = new Array<Running>(libs.length);
  for (let k = 0; k < libs.length; k++) {
    const i = rep % 2 === 0 ? k : libs.length - 1 - k;
    runs[i] = await start(libs[i] as Lib, changes);
  }
  gc('major');
  const cpuUs = timeBlocks(runs.map((r) => r.socket as BenchSocket), frames.frames, BLOCK, rep % 2 === 1);
  const emitted = runs.map((r) => r.emitted);
  for (const r of runs) await r.stop();
  return { cpuUs, emitted };
}

async function main(): Promise<void> {
  const ref = flag('base') ?? 'main';
  const reps = Number(flag('reps') ?? 9);
  const changes = process.argv.includes('--changes');
  rmSync(DIR, { recursive: true, force: true });
  const src = join(DIR, 'base-src');
  mkdirSync(src, { recursive: true });
  execSync(`git archive ${JSON.stringify(ref)} lib | tar -x -C ${JSON.stringify(src)}`, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const libs = [load(join(src, 'lib', 'index.ts'), join(DIR, 'base.js')), load(join(flag('lib') ?? join(ROOT, 'lib'), 'index.ts'), join(DIR, 'new.js'))];
  const frames = buildFrames({ rows: Number(flag('rows') ?? 60_000) });
  BenchSocket.partial = frames.partial;
  const count = frames.frames.length;
  console.log(`e2e paired, in process: base ${ref} vs working tree, ${changes ? 'changes$' : 'book$'}, ${count} frames in blocks of ${BLOCK}, ${reps} runs (+1 warm-up)`);
  const ratios: number[] = [];
  const per: number[][] = [[], []];
  let emitted: number[] = [];
  for (let r = 0; r <= reps; r++) {
    const res = await runPair(libs, frames, r, changes);
    emitted = res.emitted;
    if (r === 0) continue;
    const [b, n] = res.cpuUs as [number, number];
    ratios.push(n / b);
    per[0]?.push(b / count);
    per[1]?.push(n / count);
    console.log(`  run ${r}: base ${(b / count).toFixed(2)} µs/frame, new ${(n / count).toFixed(2)}, new/base ${(n / b).toFixed(3)}`);
  }
  if (emitted[0] !== emitted[1]) throw new Error(`base emitted ${emitted[0]}, new ${emitted[1]}`);
  console.log(`median µs/frame: base ${median(per[0] ?? []).toFixed(2)}, new ${median(per[1] ?? []).toFixed(2)}; new/base median ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}); ${emitted[1]} emissions per run`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});

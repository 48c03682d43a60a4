/**
 * `npm run bench` (node --expose-gc --import tsx bench/index.ts [--case=NAME] [--reps=N] [--rows=N]).
 *
 * Prints, measured in one run on the same pre-built frames: JSON.parse alone (the floor),
 * JSON.parse + this reducer, JSON.parse + the official connector's delta parser, their ratios,
 * and heap bytes per book level; then the end-to-end loopback case. Not part of the tests.
 *
 * `--case=` takes a comma-separated list of: parse, reducer, connector, memory (heap per level,
 * the last 1,000 states kept vs one, snapshots from old states), e2e, and four cases run
 * only on request: read (JSON.parse + the reducer + reading every state's change list, as
 * `table$` does; run it as `--case=parse,read`, without `reducer`: in one process the two
 * disturb each other's timing), ring (JSON.parse + freezing every row into a ring: the cost of
 * merely keeping frozen rows) and minimal (JSON.parse + the least work of a book stored like
 * the reducer's: a lower bound for it; `minimal-bundled` is the same from the bundle, beside the
 * bundled reducer). `grouped` (last, in the default run too): a grouped
 * `book$` (group 10, depth 25) against a plain one of depth 25 through the client, on the same
 * frames (bench/grouped-book.ts; `--grouped-reps=N`, `--grouped-rows=N`). Figures and their
 * history: bench/README.md.
 *
 * The reducer case runs twice in one run: from the TypeScript sources under tsx (`reducer`), and
 * from an esbuild bundle of them (`bundled`, run with `reducer`), as a user's bundler or the
 * package's dist/ has it. tsx compiles each file to CommonJS on its own, so every call from one
 * of lib's files into another goes through a getter; a bundle has none. Both ratios are printed.
 *
 * To add a case (e.g. an end-to-end socket run), build a {@link BenchCase} and pass it to
 * {@link measure}, then {@link report} the result; `main` shows the pattern.
 * @module
 */
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { buildFrames, framesFor } from './frames';
import type { BenchFrames } from './frames';
import { connectorCase, minimalCase, parseCase, reducerCase, ringCase } from './reducer';
import type { BenchCase } from './reducer';
import { runE2E } from './e2e';
import { runGroupedBench } from './grouped-book';
import { bookOf, reduceTables } from '../lib/reducer/reducer';
import type { TablesState } from '../lib/reducer/reducer';
import type { TableFrame } from '../lib/protocol/frames';

export type { BenchCase } from './reducer';

/** Timing of one case over a range of frames. */
export interface Measurement {
  readonly name: string;
  /** Rows processed per repetition. */
  readonly rows: number;
  /** Milliseconds of each timed repetition. */
  readonly samples: readonly number[];
  /** Median milliseconds per repetition. */
  readonly median: number;
  /** Median nanoseconds per row. */
  readonly nsPerRow: number;
  /** Median wall-clock milliseconds per repetition (noisier on a shared machine). */
  readonly wallMedian: number;
}

/** Options of {@link measure}. */
export interface MeasureOptions {
  /** Frame range [from, to); default all frames. */
  readonly from?: number;
  readonly to?: number;
  /** Untimed warm-up repetitions (default 2) and timed ones (default 11). */
  readonly warmup?: number;
  readonly reps?: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g === undefined) throw new Error('run with node --expose-gc (npm run bench does)');
  g();
}

/**
 * CPU time (user + system, all threads of the process, so GC helpers count) of `fn`, in ms.
 * CPU time rather than wall time keeps results usable on a shared, loaded machine.
 */
function cpuMs(fn: () => void): { cpu: number; wall: number } {
  const w0 = process.hrtime.bigint();
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return { cpu: (d.user + d.system) / 1000, wall: Number(process.hrtime.bigint() - w0) / 1e6 };
}

const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

/** Sleeps 30 ms so that GC work left running in helper threads after `gc()` is not timed. */
function settle(): void {
  Atomics.wait(SLEEPER, 0, 0, 30);
}

function rowsIn(frames: BenchFrames, from: number, to: number): number {
  let rows = 0;
  for (let i = from; i < to; i++) rows += frames.frameRows[i] as number;
  return rows;
}

/**
 * Times several cases over the same frames, interleaved (case A rep 1, case B rep 1, A rep 2,
 * ...) so that load changes hit them alike: per repetition `c.setup()` (untimed), GC, then
 * `c.run(from, to)`. The first `warmup` repetitions are discarded.
 */
export function measureAll(cases: readonly BenchCase[], frames: BenchFrames, opts: MeasureOptions = {}): Measurement[] {
  const from = opts.from ?? 0;
  const to = opts.to ?? frames.frames.length;
  const warmup = opts.warmup ?? 2;
  const total = warmup + (opts.reps ?? 11);
  const rows = rowsIn(frames, from, to);
  const samples = cases.map((): number[] => []);
  const walls = cases.map((): number[] => []);
  for (let r = 0; r < total; r++) {
    cases.forEach((c, i) => {
      c.setup();
      gc();
      settle();
      const t = cpuMs(() => c.run(from, to));
      if (r >= warmup) {
        samples[i]?.push(t.cpu);
        walls[i]?.push(t.wall);
      }
    });
  }
  return cases.map((c, i) => {
    const s = samples[i] as number[];
    const med = median(s);
    return { name: c.name, rows, samples: s, median: med, nsPerRow: (med * 1e6) / rows, wallMedian: median(walls[i] as number[]) };
  });
}

/** {@link measureAll} for one case. */
export function measure(c: BenchCase, frames: BenchFrames, opts: MeasureOptions = {}): Measurement {
  return measureAll([c], frames, opts)[0] as Measurement;
}

/** Prints one result line. */
export function report(name: string, m: Pick<Measurement, 'rows' | 'median' | 'nsPerRow' | 'samples'> & { wallMedian?: number }): void {
  const min = Math.min(...m.samples);
  const max = Math.max(...m.samples);
  console.log(
    `${name.padEnd(48)} ${m.rows.toString().padStart(7)} rows  median ${m.median.toFixed(1).padStart(8)} ms CPU` +
      `  ${m.nsPerRow.toFixed(0).padStart(6)} ns/row  (min ${min.toFixed(1)}, max ${max.toFixed(1)}, n=${m.samples.length}` +
      `${m.wallMedian === undefined ? '' : `; wall median ${m.wallMedian.toFixed(1)} ms`})`,
  );
}

/**
 * Median over repetitions of `a`'s time over `b`'s in the same repetition, for cases measured
 * together by {@link measureAll}: each pair ran back to back, so a change in the machine's load
 * during the run moves both, where a ratio of two medians can take them from different moments.
 */
export function pairedRatio(a: Measurement, b: Measurement): number {
  return median(a.samples.map((x, i) => x / (b.samples[i] as number)));
}

/** Prints a ratio line. */
export function reportRatio(label: string, value: number, target: string): void {
  console.log(`${label.padEnd(48)} ${value.toFixed(2).padStart(8)}   (target ${target})`);
}

/** Heap growth (bytes, after GC) caused by `build`, whose result is kept alive until measured. */
export function heapBytes<T>(build: () => T): { bytes: number; value: T } {
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const value = build();
  gc();
  gc();
  return { bytes: process.memoryUsage().heapUsed - before, value };
}

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

/** bench/reducer.ts and lib/ bundled by esbuild (as a bundler or dist/ has them), loaded. */
function bundledCases(): typeof import('./reducer') {
  const out = join(resolve(__dirname, '..'), '.tmp', 'bench', 'reducer.js');
  buildSync({ entryPoints: [join(__dirname, 'reducer.ts')], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node18', packages: 'external', logLevel: 'warning' });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(out) as typeof import('./reducer');
}

function main(): void {
  const only = arg('case');
  const reps = Number(arg('reps') ?? 11);
  const frames = buildFrames({ rows: Number(arg('rows') ?? 200_000) });
  const n = frames.frames.length;
  const rowsTotal = frames.frameRows.reduce((a, b) => a + b, 0);
  console.log(
    `book: ${frames.levels} levels (2 x ${frames.levels / 2}); ${n} delta frames, ${rowsTotal} rows ` +
      `(update ${frames.counts.update}, insert ${frames.counts.insert}, delete ${frames.counts.delete}); ` +
      `node ${process.version}`,
  );
  const parse = parseCase(frames);
  const reducer = reducerCase(frames);
  const reading = reducerCase(frames, true);
  const wantsReducer = only === undefined || only.split(',').includes('reducer');
  // `minimal-bundled`, on request: the lower bound bundled too, to compare with the bundled reducer.
  const wantsMinimalBundled = only?.split(',').includes('minimal-bundled') ?? false;
  const bundledModule = wantsReducer || wantsMinimalBundled ? bundledCases() : undefined;
  const bundled = wantsReducer ? bundledModule?.reducerCase(frames) : undefined;
  const minimalBundled = wantsMinimalBundled ? bundledModule?.minimalCase(frames) : undefined;
  const connector = connectorCase(frames);

  // Every case runs by default but read, ring and minimal, which run on request.
  const wanted = (name: string): boolean => (name === 'bundled' ? wantsReducer : (only?.split(',').includes(name) ?? !['read', 'ring', 'minimal', 'memory'].includes(name)));
  const named = [
    ['parse', parse],
    ['reducer', reducer],
    ...(bundled === undefined ? [] : [['bundled', { ...bundled, name: `${bundled.name} (bundled)` }] as const]),
    ['read', reading],
    ['ring', ringCase(frames)],
    ['minimal', minimalCase(frames)],
    ...(minimalBundled === undefined ? [] : [['minimal-bundled', { ...minimalBundled, name: `${minimalBundled.name} (bundled)` }] as const]),
  ] as const;
  const selected = named.filter(([name]) => wanted(name));
  if (selected.length > 0) {
    const ms = measureAll(
      selected.map(([, c]) => c),
      frames,
      { reps },
    );
    for (const m of ms) report(m.name, m);
    if (wanted('reducer') && reducer.state().inconsistencies.length > 0) throw new Error('bench frames produced inconsistencies');
    const byName = new Map(selected.map(([name], i) => [name, ms[i] as Measurement]));
    const mParse = byName.get('parse');
    const mReducer = byName.get('reducer');
    if (mParse && mReducer) {
      reportRatio('ratio (parse + reducer) / parse, CPU', pairedRatio(mReducer, mParse), '<= 1.6');
      reportRatio('  same, ratio of the medians', mReducer.median / mParse.median, '<= 1.6');
      reportRatio('ratio (parse + reducer) / parse, wall', mReducer.wallMedian / mParse.wallMedian, '<= 1.6');
    }
    const mBundled = byName.get('bundled');
    if (mParse && mBundled) {
      reportRatio('ratio (parse + bundled reducer) / parse, CPU', pairedRatio(mBundled, mParse), '<= 1.6');
      reportRatio('ratio (parse + bundled reducer) / parse, wall', mBundled.wallMedian / mParse.wallMedian, '<= 1.6');
    }
    for (const [name, label] of [
      ['read', 'reducer + read changes'],
      ['ring', 'ring'],
      ['minimal', 'minimal book'],
      ['minimal-bundled', 'bundled minimal book'],
    ] as const) {
      const m = byName.get(name);
      if (mParse && m) reportRatio(`ratio (parse + ${label}) / parse, CPU`, pairedRatio(m, mParse), 'none');
    }
  }

  if (wanted('connector')) {
    // The connector copies and scans the whole book per row: time it on a prefix of the same
    // frames, and the reducer on that same prefix, so the ratio compares like with like.
    const to = framesFor(frames, 10_000);
    // The connector costs seconds per pass: 1 warm-up + 3 timed. The reducer's pass is short,
    // so it gets more of both to get past JIT warm-up and the GC of its freshly built book.
    const mConn = measure(connector, frames, { to, warmup: 1, reps: 3 });
    const mRedPrefix = measure(reducer, frames, { to, warmup: 5, reps: 15 });
    report(`${connector.name} (first ${to} frames)`, mConn);
    report(`${reducer.name} (first ${to} frames)`, mRedPrefix);
    reportRatio('ratio (parse + deltaParser) / (parse + reducer), CPU', mConn.median / mRedPrefix.median, '>= 50');
    reportRatio('ratio (parse + deltaParser) / (parse + reducer), wall', mConn.wallMedian / mRedPrefix.wallMedian, '>= 50');
  }

  if (only === undefined || wanted('memory')) memory(frames);
}

/** States of the reducer case after its partial and the first `n` delta frames: all of them, or only the last. */
function statesAfter(frames: BenchFrames, n: number, keepAll: boolean): TablesState[] {
  const c = reducerCase(frames);
  c.setup();
  let s = c.state();
  const kept: TablesState[] = [];
  for (let i = 0; i < n; i++) {
    s = reduceTables(s, JSON.parse(frames.frames[i] as string) as TableFrame);
    if (keepAll) kept.push(s);
  }
  if (!keepAll) kept.push(s);
  return kept;
}

/**
 * Heap per book level; what keeping the last 1,000 states costs over keeping one (structural
 * sharing); and the time of a top-25 snapshot from old and new states (O(log n + 25) each).
 */
function memory(frames: BenchFrames): void {
  const ours = heapBytes(() => reduceTablesOnce(frames));
  const theirs = heapBytes(() => {
    const c = connectorCase(frames);
    c.setup();
    return c.store();
  });
  console.log(`heap after GC, reducer:     ${(ours.bytes / frames.levels).toFixed(0)} bytes per book level   (target <= 300)`);
  console.log(`heap after GC, deltaParser: ${(theirs.bytes / frames.levels).toFixed(0)} bytes per book level`);
  void ours.value;
  void theirs.value;
  const one = heapBytes(() => statesAfter(frames, 1000, false));
  const all = heapBytes(() => statesAfter(frames, 1000, true));
  console.log(
    `1,000 states kept vs 1: ${((all.bytes - one.bytes) / 1e6).toFixed(2)} MB more (${((all.bytes - one.bytes) / 1000).toFixed(0)} bytes per state; target <= 10 MB)`,
  );
  // Top-25 snapshots, from every kept state in random order, then from the latest only.
  const states = all.value;
  let k = 7;
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < 20; r++) {
    for (let i = 0; i < states.length; i++) {
      k = (Math.imul(k, 1103515245) + 12345) >>> 0;
      sinkSnap += bookOf(states[k % states.length] as TablesState, frames.symbol)?.bids.length ?? 0;
    }
  }
  const tOld = Number(process.hrtime.bigint() - t0) / (20 * states.length);
  const latest = states[states.length - 1] as TablesState;
  const t1 = process.hrtime.bigint();
  for (let r = 0; r < 20 * states.length; r++) sinkSnap += bookOf(latest, frames.symbol)?.bids.length ?? 0;
  const tNew = Number(process.hrtime.bigint() - t1) / (20 * states.length);
  console.log(`top-25 snapshot (bookOf): ${tOld.toFixed(0)} ns from random old states, ${tNew.toFixed(0)} ns from the latest (wall)`);
  void one.value;
}

let sinkSnap = 0;

function reduceTablesOnce(frames: BenchFrames): unknown {
  const c = reducerCase(frames);
  c.setup();
  return c.state();
}

/** The grouped `book$` case: in the default run, or when `--case=` names `grouped`. */
async function grouped(): Promise<void> {
  const only = arg('case');
  if (only !== undefined && !only.split(',').includes('grouped')) return;
  const reps = arg('grouped-reps');
  const rows = arg('grouped-rows');
  const r = await runGroupedBench({ ...(reps !== undefined ? { reps: Number(reps) } : {}), ...(rows !== undefined ? { rows: Number(rows) } : {}) });
  reportRatio('ratio grouped / plain book$, CPU per frame', r.ratio, '<= 1.2');
}

// The end-to-end loopback case (bench/e2e.ts) runs after these, then the grouped book$ case;
// `--case=` not naming them skips them.
if (require.main === module) {
  main();
  runE2E()
    .then(grouped)
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}

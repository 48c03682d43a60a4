/**
 * End-to-end loopback benchmark: CPU per received orderBookL2 frame of three clients of the
 * same local server (bench/e2e-server.ts, a separate process, so its CPU is not counted):
 *
 * - (a) a bare `ws` client that only JSON.parses each message (the floor);
 * - (b) this library: `new BitmexWebSocket({ endpoint, heartbeat: false }).book$('XBTUSD')`;
 * - (c) BitMEX's own connector, bitmex-realtime-api, with `addStream('XBTUSD', 'orderBookL2', cb)`.
 *
 * Each run is a fresh child process (bench/e2e-client.ts) so JIT and GC state do not leak
 * between cases; runs of the cases are interleaved so load changes hit them alike. The children
 * run an esbuild bundle of bench/e2e-*.ts and lib/ (packages stay external, loaded from
 * node_modules), built into .tmp/e2e/ first, which keeps process start-up short.
 *
 * (a) and (b) are timed from the partial to the last frame of the full stream, as a user
 * would see it. The first few thousand frames of a fresh process mostly pay for JIT
 * compilation (which process.cpuUsage counts: the compiler threads are the process's too), so
 * (a) and (b) are also timed warmed up: on frames [X, X + 40,000) after an untimed warm-up of
 * 5,000. (c) copies and rescans the whole ~10,000-level book per row (~0.5 ms a frame), so it is
 * timed on the first 2,000 of those same frames only, after a warm-up of 500 (against its own
 * cost, its JIT warm-up is negligible); c/b compares it with warmed-up (b).
 *
 * ```sh
 * npx tsx bench/e2e.ts [--e2e-frames=100000] [--e2e-runs=3] [--e2e-profile] [--e2e-cases=a,b,aw,bw,bcw,c]
 *   [--e2e-warm-frames=40000] [--e2e-warmup=5000] [--e2e-connector-frames=2000] [--e2e-connector-warmup=500]
 * ```
 * `--e2e-cases=` picks the clients (keys as in the table; `w`: warm); on request only, the
 * decomposition of (b): (m) / (mw) bare + the bench's minimal persistent book, (r) / (rw) bare +
 * `reduceTables` called directly, (v) / (vw) bare + `reduceTables` + a depth-25 book view, each
 * printed over (a) of the same stream; and (o), (a) hearing `ws` through `onmessage` (as the
 * library's socket does) instead of a `message` listener.
 * `--e2e-profile` adds one run of (b) under `node --cpu-prof` (run from the TypeScript sources,
 * so that time is attributed per file; profiles in .tmp/e2e-prof/) and prints where its time
 * goes inside the measured window. `npm run bench` runs this after the reducer cases.
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { streamKey } from './e2e-shared';
import type { ClientCase, ClientResult, Expected, FinalBook, ServerReady, StreamSpec } from './e2e-shared';
import { printProfile } from './e2e-profile';

/** Options of {@link runE2E}. */
export interface E2EOptions {
  /** Delta frames per run of (a) and (b). Default 100,000. */
  readonly frames?: number;
  /** Timed delta frames of the warmed-up runs of (a) and (b). Default 40,000. */
  readonly warmFrames?: number;
  /** Untimed delta frames before those. Default 5,000. */
  readonly warmup?: number;
  /** Timed delta frames per run of (c): the first of the warmed-up runs' frames. Default 2,000. */
  readonly connectorFrames?: number;
  /** Untimed delta frames before those for (c). Default 500. */
  readonly connectorWarmup?: number;
  /** Runs per case (the median is reported). Default 3. */
  readonly runs?: number;
  /** Add a run of (b) under `--cpu-prof` (profiles in .tmp/e2e-prof/) and print its hot spots. */
  readonly profile?: boolean;
  /** Keys of the clients to run (default {@link DEFAULT_CASES}); see the module comment. */
  readonly cases?: readonly string[];
}

/** The clients run by default; `o`, `m`, `r`, `v` and the warm `mw`, `rw`, `vw` run on request. */
export const DEFAULT_CASES: readonly string[] = ['a', 'b', 'aw', 'bw', 'bcw', 'c'];

/** Medians of one case. */
export interface E2ECase {
  readonly label: string;
  readonly case: ClientCase;
  /** Timed frames (and where they start, and the untimed warm-up before them). */
  readonly stream: StreamSpec;
  readonly runs: readonly ClientResult[];
  /** Median CPU µs per frame. */
  readonly cpuUsPerFrame: number;
  /** Median wall ms of the window. */
  readonly wallMs: number;
}

/** Result of {@link runE2E}; a ratio is undefined when one of its clients did not run. */
export interface E2EReport {
  readonly cases: readonly E2ECase[];
  /** (b) / (a), CPU per frame over the full stream. */
  readonly libraryOverBare: number | undefined;
  /** (b) / (a), CPU per frame, warmed up. */
  readonly libraryOverBareWarm: number | undefined;
  /** (c) / (b), CPU per frame, both warmed up, from the same frame on. */
  readonly connectorOverLibrary: number | undefined;
}

const ROOT = resolve(__dirname, '..');
const PROFILE_DIR = join(ROOT, '.tmp', 'e2e-prof');
const BUNDLE_DIR = join(ROOT, '.tmp', 'e2e');
const CHILD_TIMEOUT_MS = 120_000;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Options from `--e2e-*` flags; `undefined` when `--case=` names another benchmark case. */
export function e2eOptionsFromArgv(argv: readonly string[] = process.argv): E2EOptions | undefined {
  const value = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const only = value('case');
  if (only !== undefined && only !== 'e2e') return undefined;
  const num = (name: string): number | undefined => {
    const v = value(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new TypeError(`--${name} must be a positive integer`);
    return n;
  };
  const frames = num('e2e-frames');
  const connectorFrames = num('e2e-connector-frames');
  const connectorWarmup = num('e2e-connector-warmup');
  const warmFrames = num('e2e-warm-frames');
  const warmup = num('e2e-warmup');
  const runs = num('e2e-runs');
  const cases = value('e2e-cases')?.split(',');
  return {
    ...(cases !== undefined ? { cases } : {}),
    ...(frames !== undefined ? { frames } : {}),
    ...(connectorFrames !== undefined ? { connectorFrames } : {}),
    ...(connectorWarmup !== undefined ? { connectorWarmup } : {}),
    ...(warmFrames !== undefined ? { warmFrames } : {}),
    ...(warmup !== undefined ? { warmup } : {}),
    ...(runs !== undefined ? { runs } : {}),
    profile: argv.includes('--e2e-profile'),
  };
}

/** The environment of the children, without the variable that redirects bitmex-realtime-api. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.BITMEX_ENDPOINT;
  delete env.DEBUG;
  return env;
}

/** Bundles the server and client children into BUNDLE_DIR (CommonJS, packages external). */
function buildChildren(): void {
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  buildSync({
    entryPoints: [join(__dirname, 'e2e-server.ts'), join(__dirname, 'e2e-client.ts')],
    outdir: BUNDLE_DIR,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node18',
    packages: 'external',
    logLevel: 'warning',
  });
}

/** Forks a child: the bundle by default, the TypeScript source under tsx with `fromSource`. */
function forkChild(name: 'e2e-server' | 'e2e-client', args: readonly string[], opts: { fromSource?: boolean; execArgv?: readonly string[] } = {}): ChildProcess {
  const fromSource = opts.fromSource === true;
  return fork(fromSource ? join(__dirname, `${name}.ts`) : join(BUNDLE_DIR, `${name}.js`), [...args], {
    cwd: ROOT,
    env: childEnv(),
    execArgv: ['--expose-gc', ...(fromSource ? ['--import', 'tsx'] : []), ...(opts.execArgv ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/** The first IPC message of `child`; rejects if it exits or times out first. */
export function firstMessage<T>(child: ChildProcess, what: string): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`${what}: no result within ${CHILD_TIMEOUT_MS / 1000} s`));
    }, CHILD_TIMEOUT_MS);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolvePromise(m as T);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${signal ?? code}) before reporting`));
    });
  });
}

interface Job {
  readonly key: string;
  readonly label: string;
  readonly case: ClientCase;
  readonly stream: StreamSpec;
}

async function runClient(job: Job, port: number, profileDir?: string): Promise<ClientResult> {
  const child = forkChild('e2e-client', [`--case=${job.case}`, `--port=${port}`, `--stream=${streamKey(job.stream)}`], {
    fromSource: profileDir !== undefined,
    execArgv: profileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
  });
  const result = await firstMessage<ClientResult>(child, `client ${job.case}`);
  if (result.frames !== job.stream.frames) throw new Error(`${job.case} handled ${result.frames} frames, expected ${job.stream.frames}`);
  // A --cpu-prof child writes its profiles on exit.
  if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
  return result;
}

/** Profiles one run of `job` and prints the main thread's profile cut to the measured window. */
async function profileRun(job: Job, port: number): Promise<void> {
  const dir = join(PROFILE_DIR, `${job.case}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(dir, { recursive: true });
  const result = await runClient(job, port, dir);
  // One profile per thread (tsx's loader has its own): the main thread's is the biggest.
  const files = readdirSync(dir).map((f) => join(dir, f));
  const main = files.sort((a, b) => statSync(b).size - statSync(a).size)[0];
  if (main === undefined) throw new Error(`no profile written to ${dir}`);
  console.log(`\n${job.label}, profiled run: ${((result.cpuUs / result.frames)).toFixed(2)} CPU µs/frame (slower than unprofiled)`);
  printProfile(main, result.windowUs, ROOT);
}

function check(r: ClientResult, e: Expected): void {
  const same = (a: FinalBook): boolean =>
    a.levels === e.levels &&
    a.bestBid.price === e.bestBid.price &&
    a.bestBid.size === e.bestBid.size &&
    a.bestAsk.price === e.bestAsk.price &&
    a.bestAsk.size === e.bestAsk.size;
  if (r.final !== undefined && !same(r.final)) {
    throw new Error(`${r.case} ended with a wrong book: ${JSON.stringify(r.final)}, expected ${JSON.stringify(e)}`);
  }
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

function framesLabel(s: StreamSpec): string {
  const range = s.start === 0 ? `${s.frames}` : `${s.start + 1}–${s.start + s.frames}`;
  return s.warmup === 0 ? range : `${range} (${s.warmup})`;
}

function printTable(cases: readonly E2ECase[]): void {
  const cols = ['frames timed (warm-up)', 'CPU µs/frame median (min–max)', 'main thr.', 'loop busy', 'wall ms', 'wall µs/frame', 'callbacks'];
  console.log(`${'client'.padEnd(44)} ${cols[0]?.padStart(24)}  ${cols[1]?.padEnd(30)} ${cols.slice(2).map((c) => c.padStart(9)).join(' ')}`);
  for (const c of cases) {
    const per = c.runs.map((r) => r.cpuUs / r.frames);
    const range = `${fmt(c.cpuUsPerFrame, 2)} (${fmt(Math.min(...per), 2)}–${fmt(Math.max(...per), 2)})`;
    const shares = c.runs.flatMap((r) => (r.mainThreadShare === undefined ? [] : [r.mainThreadShare]));
    const share = shares.length === 0 ? '–' : `${fmt(100 * median(shares), 0)}%`;
    const busy = `${fmt(100 * median(c.runs.map((r) => r.loopUtilization)), 0)}%`;
    const wallPer = fmt((c.wallMs * 1000) / c.stream.frames, 2);
    const callbacks = median(c.runs.map((r) => r.callbacks)).toString();
    console.log(
      `${c.label.padEnd(44)} ${framesLabel(c.stream).padStart(24)}  ${range.padEnd(30)} ${[share, busy, fmt(c.wallMs, 0), wallPer, callbacks].map((x) => x.padStart(9)).join(' ')}`,
    );
  }
  console.log(
    '(main thr.: share of the CPU spent on the main thread, the rest being GC and JIT helper threads; ' +
      'loop busy: event-loop utilization, near 100% when the client never waited for the server)',
  );
}

/**
 * Runs the end-to-end cases and prints a table and the ratios. Resolves to the figures, or to
 * `undefined` when `--case=` on the command line names another benchmark case.
 */
export async function runE2E(options: E2EOptions | undefined = e2eOptionsFromArgv()): Promise<E2EReport | undefined> {
  if (options === undefined) return undefined;
  const frames = options.frames ?? 100_000;
  const warmFrames = options.warmFrames ?? 40_000;
  const warmup = options.warmup ?? 5_000;
  const connectorFrames = Math.min(options.connectorFrames ?? 2_000, warmFrames);
  const connectorWarmup = options.connectorWarmup ?? 500;
  const runs = options.runs ?? 3;
  // The warmed-up runs time frames from `start` on; each warm-up ends there.
  const start = Math.max(connectorWarmup, warmup);

  const t0 = Date.now();
  buildChildren();
  const full: StreamSpec = { start: 0, warmup: 0, frames };
  const warm: StreamSpec = { start, warmup, frames: warmFrames };
  const catalogue: Job[] = [
    { key: 'a', label: '(a) bare ws + JSON.parse', case: 'bare', stream: full },
    { key: 'o', label: "(o) (a) through ws's onmessage", case: 'bare-onmessage', stream: full },
    { key: 'm', label: '(m) (a) + minimal persistent book', case: 'bare-minimal', stream: full },
    { key: 'r', label: '(r) (a) + reduceTables', case: 'bare-reduce', stream: full },
    { key: 'v', label: '(v) (r) + book view (depth 25)', case: 'bare-view', stream: full },
    { key: 'b', label: "(b) bitmex-rxjs book$('XBTUSD')", case: 'library', stream: full },
    { key: 'aw', label: '(a) bare ws + JSON.parse, warm', case: 'bare', stream: warm },
    { key: 'mw', label: '(m) (a) + minimal persistent book, warm', case: 'bare-minimal', stream: warm },
    { key: 'rw', label: '(r) (a) + reduceTables, warm', case: 'bare-reduce', stream: warm },
    { key: 'vw', label: '(v) (r) + book view, warm', case: 'bare-view', stream: warm },
    { key: 'bw', label: "(b) bitmex-rxjs book$('XBTUSD'), warm", case: 'library', stream: warm },
    { key: 'bcw', label: "(b') same, changes$ instead of book$, warm", case: 'library-changes', stream: warm },
    { key: 'c', label: '(c) bitmex-realtime-api addStream', case: 'connector', stream: { start, warmup: connectorWarmup, frames: connectorFrames } },
  ];
  const wanted = options.cases ?? DEFAULT_CASES;
  const unknown = wanted.filter((k) => !catalogue.some((j) => j.key === k));
  if (unknown.length > 0) throw new TypeError(`--e2e-cases: unknown ${unknown.join(', ')} (known: ${catalogue.map((j) => j.key).join(', ')})`);
  const jobs = catalogue.filter((j) => wanted.includes(j.key));
  const keys = [...new Set(jobs.map((j) => streamKey(j.stream)))];
  const server = forkChild('e2e-server', [`--streams=${keys.join(',')}`]);
  try {
    const ready = await firstMessage<ServerReady>(server, 'server');
    const expectedOf = (j: Job): Expected => ready.expected[streamKey(j.stream)] as Expected;
    const first = jobs[0] as Job;
    const firstExpected = expectedOf(first);
    console.log(
      `\ne2e over 127.0.0.1 (node ${process.version}): a server process sends a ${ready.partialLevels}-level ` +
        `orderBookL2:XBTUSD partial, then delta frames (${fmt(firstExpected.rows / first.stream.frames, 2)} rows, ${fmt(firstExpected.bytes / first.stream.frames, 0)} B per frame); ` +
        `${runs} runs per client, each a fresh process, interleaved; CPU = process.cpuUsage (user + system) of the client ` +
        `from the partial (or the end of the warm-up) to the last frame; wall = the same window`,
    );

    const results = new Map<string, ClientResult[]>(jobs.map((j) => [j.key, []]));
    for (let r = 0; r < runs; r++) {
      // The order reversed every other run, so a load trend does not favour the first clients.
      for (const j of r % 2 === 0 ? jobs : [...jobs].reverse()) {
        const res = await runClient(j, ready.port);
        check(res, expectedOf(j));
        results.get(j.key)?.push(res);
      }
    }

    const cases: E2ECase[] = jobs.map((j) => {
      const rs = results.get(j.key) as ClientResult[];
      return {
        label: j.label,
        case: j.case,
        stream: j.stream,
        runs: rs,
        cpuUsPerFrame: median(rs.map((x) => x.cpuUs / x.frames)),
        wallMs: median(rs.map((x) => x.wallMs)),
      };
    });
    printTable(cases);
    const byKey = (k: string): E2ECase | undefined => cases[jobs.findIndex((j) => j.key === k)];
    const over = (x: string, y: string): number | undefined => {
      const [cx, cy] = [byKey(x), byKey(y)];
      return cx === undefined || cy === undefined ? undefined : cx.cpuUsPerFrame / cy.cpuUsPerFrame;
    };
    const ratio = (label: string, value: number | undefined, note = ''): void => {
      if (value !== undefined) console.log(`${label.padEnd(66)} ${fmt(value, 2).padStart(8)}${note}`);
    };
    const libraryOverBare = over('b', 'a');
    const libraryOverBareWarm = over('bw', 'aw');
    const connectorOverLibrary = over('c', 'bw');
    // Per run (the clients of one run ran one after the other): median (min–max) of x/y.
    const paired = (x: string, y: string): string => {
      const [cx, cy] = [byKey(x), byKey(y)];
      if (cx === undefined || cy === undefined || (byKey('o') ?? byKey('m') ?? byKey('mw') ?? byKey('r') ?? byKey('rw') ?? byKey('v') ?? byKey('vw')) === undefined) return '';
      const rs = cx.runs.map((r, i) => r.cpuUs / r.frames / ((cy.runs[i] as ClientResult).cpuUs / (cy.runs[i] as ClientResult).frames));
      return `   per run ${fmt(median(rs), 2)} (${fmt(Math.min(...rs), 2)}–${fmt(Math.max(...rs), 2)})`;
    };
    for (const k of ['o', 'm', 'r', 'v']) ratio(`ratio ${k}/a, CPU per frame, full stream from the partial`, over(k, 'a'), paired(k, 'a'));
    ratio('ratio b/a, CPU per frame, full stream from the partial', libraryOverBare, `   (target <= 2)${paired('b', 'a')}`);
    for (const k of ['m', 'r', 'v']) ratio(`ratio ${k}/a, CPU per frame, warm`, over(`${k}w`, 'aw'), paired(`${k}w`, 'aw'));
    ratio('ratio b/a, CPU per frame, warm', libraryOverBareWarm, paired('bw', 'aw'));
    ratio('ratio c/b, CPU per frame, warm (c on the first frames of b\'s run)', connectorOverLibrary);
    const b = jobs.find((j) => j.key === 'b');
    if (options.profile === true && b !== undefined) await profileRun(b, ready.port);
    else if (libraryOverBare !== undefined && libraryOverBare > 2) console.log('b/a above 2: rerun with --e2e-profile to see where (b) spends its time');
    console.log(`e2e total wall ${fmt((Date.now() - t0) / 1000)} s`);
    return { cases, libraryOverBare, libraryOverBareWarm, connectorOverLibrary };
  } finally {
    if (server.connected) server.disconnect();
    if (server.exitCode === null) server.kill();
  }
}

if (require.main === module) {
  runE2E().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}

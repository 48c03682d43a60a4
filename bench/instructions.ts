/**
 * `npm run bench:instructions`: the reducer case of the benchmark counted in instructions and
 * simulated cache misses instead of time, which the shared machine makes noisy. Needs valgrind
 * (`apt-get install -y valgrind`); not part of the tests.
 *
 * It bundles this file, then runs it under `valgrind --tool=cachegrind` with
 * `node --single-threaded --predictable` (no helper threads, no time-based GC heuristics): one
 * the benchmark's parse or reducer case (`bench/reducer.ts`: the reducer's setup applies the
 * partial of the 2 × 5,000-level book) over the first 2 or 5 chunks of 40,000 delta rows. The difference between 5 and 2 chunks, divided by 3,
 * is the steady cost of 40,000 rows, free of start-up, frame generation and JIT warm-up. Counts
 * for the same code repeat to about 0.1%; a small change to the code can still move them by
 * several percent by shifting the GC schedule, so compare changes only well beyond that.
 * @module
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildFrames, framesFor } from './frames';
import { parseCase, reducerCase, sink } from './reducer';

const CHUNK = 40_000;
const execFileAsync = promisify(execFile);

/** Child mode: the benchmark's parse or reducer case over the first `chunks` chunks of rows. */
function child(mode: string, chunks: number): void {
  const f = buildFrames({ rows: 5 * CHUNK });
  const c = mode === 'parse' ? parseCase(f) : reducerCase(f);
  c.setup();
  c.run(0, framesFor(f, chunks * CHUNK));
  console.log(sink);
}

interface Counts {
  readonly ir: number;
  readonly d1: number;
  readonly ll: number;
}

const RUNS = 4;
let runsDone = 0;

async function counts(bundle: string, mode: string, chunks: number): Promise<Counts> {
  const started = Date.now();
  let text: string;
  try {
    const args = ['--tool=cachegrind', '--cache-sim=yes', '--cachegrind-out-file=/dev/null', process.execPath, '--single-threaded', '--predictable', bundle, 'child', mode, String(chunks)];
    // valgrind reports on stderr.
    text = (await execFileAsync('valgrind', args, { maxBuffer: 1 << 24 })).stderr;
  } catch (e) {
    throw new Error(`valgrind failed (is it installed? apt-get install -y valgrind): ${(e as Error).message}`);
  }
  const num = (label: RegExp): number => {
    const m = label.exec(text);
    if (m === null) throw new Error(`no ${label.source} in valgrind output:\n${text}`);
    return Number((m[1] as string).replace(/,/g, ''));
  };
  // Progress on stderr: each run takes about a minute.
  process.stderr.write(`  run ${++runsDone}/${RUNS} done: ${mode}, ${chunks} chunks, ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  return { ir: num(/I\s+refs:\s+([\d,]+)/), d1: num(/D1\s+misses:\s+([\d,]+)/), ll: num(/LL misses:\s+([\d,]+)/) };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bitmex-rxjs-instr-'));
  try {
    const bundle = join(dir, 'instructions.js');
    execFileSync(join('node_modules', '.bin', 'esbuild'), [__filename, '--bundle', '--platform=node', `--outfile=${bundle}`, '--log-level=warning']);
    process.stderr.write(`${RUNS} runs under cachegrind, two at a time (about two minutes on 2 free cores)…\n`);
    // Two runs at a time: one per core.
    const steady = async (mode: string): Promise<Counts> => {
      const [two, five] = await Promise.all([counts(bundle, mode, 2), counts(bundle, mode, 5)]);
      return { ir: (five.ir - two.ir) / 3, d1: (five.d1 - two.d1) / 3, ll: (five.ll - two.ll) / 3 };
    };
    const parse = await steady('parse');
    const reducer = await steady('reducer');
    const line = (name: string, c: Counts): string =>
      `${name.padEnd(28)} ${(c.ir / 1e6).toFixed(1).padStart(8)} M instructions  ${(c.d1 / 1e6).toFixed(2).padStart(6)} M D1 misses  ${(c.ll / 1e3).toFixed(0).padStart(6)} k LL misses`;
    console.log(`steady cost of ${CHUNK} delta rows (cachegrind, node --single-threaded --predictable ${process.version}):`);
    console.log(line('JSON.parse', parse));
    console.log(line('JSON.parse + reduceTables', reducer));
    console.log(`ratio, instructions: ${(reducer.ir / parse.ir).toFixed(2)}; D1 misses: ${(reducer.d1 / parse.d1).toFixed(2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'child') child(process.argv[3] ?? 'parse', Number(process.argv[4] ?? 1));
else
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });

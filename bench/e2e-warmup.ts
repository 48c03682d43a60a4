/**
 * The client's start-up, side by side: the working tree (`new`) against a git revision (`base`,
 * default `main`), each bundled with bench/e2e-warmup-child.ts into fresh processes, run in
 * turn (the order reversed every other round). Each times one `book$` client from the partial
 * over `--frames` bench frames in blocks of `--block`, in CPU of the whole process and of its
 * main thread: the difference is the JIT compiling on helper threads (and GC helpers; V8's
 * `--no-concurrent-recompilation` moves nearly all of it onto the main thread). Prints the median
 * µs per frame of each block and of the whole stream for both, and new/base per round.
 *
 * ```sh
 * npx tsx bench/e2e-warmup.ts [--base=main] [--rounds=6] [--frames=100000] [--block=10000]
 * ```
 * @module
 */
import { execFileSync, execSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import type { WarmupResult } from './e2e-warmup-child';
import { flag, median, positive } from './cli-args';

const ROOT = resolve(__dirname, '..');
const DIR = join(ROOT, '.tmp', 'e2e-warmup');

/** Bundles a child over the lib/ in `libDir` to DIR/`name`.js. */
function bundle(name: string, libDir: string): string {
  const entry = join(DIR, `${name}-entry.ts`);
  writeFileSync(
    entry,
    `import * as lib from ${JSON.stringify(join(libDir, 'index'))};\n` +
      `import { runWarmupChild } from ${JSON.stringify(join(ROOT, 'bench', 'e2e-warmup-child'))};\n` +
      `runWarmupChild(lib).catch((e) => { console.error(e); process.exit(1); });\n`,
  );
  const out = join(DIR, `${name}.js`);
  buildSync({ entryPoints: [entry], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node18', packages: 'external', logLevel: 'warning' });
  return out;
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

function main(): void {
  const ref = flag('base') ?? 'main';
  const rounds = positive('rounds', 6);
  const frames = positive('frames', 100_000);
  const block = positive('block', 10_000);
  rmSync(DIR, { recursive: true, force: true });
  const src = join(DIR, 'base-src');
  mkdirSync(src, { recursive: true });
  execSync(`git archive ${JSON.stringify(ref)} lib | tar -x -C ${JSON.stringify(src)}`, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const files = { base: bundle('base', join(src, 'lib')), new: bundle('new', join(ROOT, 'lib')) };
  console.log(`e2e warm-up: base ${ref} vs working tree, book$, fresh processes, ${frames} frames from the partial in blocks of ${block}, ${rounds} rounds`);
  const results: Record<'base' | 'new', WarmupResult[]> = { base: [], new: [] };
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? (['base', 'new'] as const) : (['new', 'base'] as const);
    for (const which of order) {
      const out = execFileSync(process.execPath, ['--expose-gc', files[which], `--frames=${frames}`, `--block=${block}`], { encoding: 'utf8' });
      results[which].push(JSON.parse(out.trim().split('\n').pop() as string) as WarmupResult);
    }
    const b = results.base[r] as WarmupResult;
    const n = results.new[r] as WarmupResult;
    ratios.push(sum(n.total) / sum(b.total));
    const helper = (x: WarmupResult): string => (x.main.length > 0 ? `, helper threads ${((sum(x.total) - sum(x.main)) / x.total.length).toFixed(2)}` : '');
    console.log(
      `  round ${r + 1}: base ${(sum(b.total) / b.total.length).toFixed(2)} µs/frame${helper(b)}; new ${(sum(n.total) / n.total.length).toFixed(2)}${helper(n)}; new/base ${(ratios[r] as number).toFixed(3)}`,
    );
  }
  console.log('median µs/frame per block (all threads / main thread):');
  const blocks = results.base[0]?.total.length ?? 0;
  for (let i = 0; i < blocks; i++) {
    const cell = (which: 'base' | 'new'): string => {
      const t = median(results[which].map((x) => x.total[i] as number));
      const m = results[which].every((x) => x.main.length > 0) ? median(results[which].map((x) => x.main[i] as number)).toFixed(1) : '-';
      return `${t.toFixed(1)} / ${m}`;
    };
    console.log(`  ${String(i * block).padStart(7)}–${String(Math.min(frames, (i + 1) * block)).padEnd(7)} base ${cell('base').padEnd(14)} new ${cell('new')}`);
  }
  const whole = (which: 'base' | 'new', pick: (x: WarmupResult) => number): string => median(results[which].map(pick)).toFixed(2);
  const all = (x: WarmupResult): number => sum(x.total) / x.total.length;
  const helper = (x: WarmupResult): number => (x.main.length > 0 ? (sum(x.total) - sum(x.main)) / x.total.length : NaN);
  console.log(`whole stream, median µs/frame: base ${whole('base', all)} (helper threads ${whole('base', helper)}), new ${whole('new', all)} (helper threads ${whole('new', helper)})`);
  console.log(`new/base per round: median ${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`);
}

main();

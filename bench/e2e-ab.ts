/**
 * Side-by-side end-to-end comparison of two versions of the library: the working tree (`new`)
 * against a git revision (`base`, default `main`), each bundled with its own bench/e2e-client.ts,
 * plus the bare `ws` + `JSON.parse` client, all against one bench/e2e-server.ts process. Fresh
 * processes, interleaved, the order reversed every other round, so load changes on a shared
 * machine hit the three alike; per round the ratios of that round, then medians and ranges.
 *
 * ```sh
 * npx tsx bench/e2e-ab.ts [--base=main] [--rounds=8] [--case=library|library-changes] [--warm]
 *   [--frames=40000] [--warmup=5000]
 * ```
 * Without `--warm` the stream is timed from the partial (`--frames` deltas, default 100,000);
 * with it, `--frames` (default 40,000) after `--warmup` untimed ones, as bench/e2e.ts does.
 * @module
 */
import { execSync, fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { firstMessage } from './e2e';
import { streamKey } from './e2e-shared';
import type { ClientCase, ClientResult, ServerReady, StreamSpec } from './e2e-shared';
import { flag, median, positive } from './cli-args';

const ROOT = resolve(__dirname, '..');
const DIR = join(ROOT, '.tmp', 'e2e-ab');

function bundle(entries: readonly string[], outdir: string): void {
  buildSync({ entryPoints: [...entries], outdir, bundle: true, platform: 'node', format: 'cjs', target: 'node18', packages: 'external', logLevel: 'warning' });
}

/** The base revision's lib/ and bench/ into DIR/base-src, bundled into DIR/base (packages resolve from this tree's node_modules). */
function buildBase(ref: string): void {
  const src = join(DIR, 'base-src');
  mkdirSync(src, { recursive: true });
  execSync(`git archive ${JSON.stringify(ref)} lib bench | tar -x -C ${JSON.stringify(src)}`, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  bundle([join(src, 'bench', 'e2e-client.ts')], join(DIR, 'base'));
}

function start(script: string, args: readonly string[]): ChildProcess {
  const env = { ...process.env };
  delete env.BITMEX_ENDPOINT;
  delete env.DEBUG;
  return fork(script, [...args], { cwd: ROOT, env, execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

async function runClient(script: string, c: ClientCase, port: number, spec: StreamSpec): Promise<number> {
  const child = start(script, [`--case=${c}`, `--port=${port}`, `--stream=${streamKey(spec)}`]);
  const r = await firstMessage<ClientResult>(child, `${script} ${c}`);
  if (r.frames !== spec.frames) throw new Error(`${c} handled ${r.frames} frames, expected ${spec.frames}`);
  if (child.exitCode === null) await new Promise((ok) => child.once('exit', ok));
  return r.cpuUs / r.frames;
}

const fmt = (n: number): string => n.toFixed(2);
const range = (xs: readonly number[]): string => `${fmt(median(xs))} (${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))})`;

async function main(): Promise<void> {
  const ref = flag('base') ?? 'main';
  const rounds = positive('rounds', 8);
  const lib = (flag('case') ?? 'library') as ClientCase;
  if (lib !== 'library' && lib !== 'library-changes') throw new TypeError('--case must be library or library-changes');
  const warm = process.argv.includes('--warm');
  const frames = positive('frames', warm ? 40_000 : 100_000);
  const warmup = warm ? positive('warmup', 5_000) : 0;
  const spec: StreamSpec = { start: warmup, warmup, frames };

  rmSync(DIR, { recursive: true, force: true });
  buildBase(ref);
  bundle([join(__dirname, 'e2e-client.ts'), join(__dirname, 'e2e-server.ts')], join(DIR, 'new'));
  const server = start(join(DIR, 'new', 'e2e-server.js'), [`--streams=${streamKey(spec)}`]);
  try {
    const { port } = await firstMessage<ServerReady>(server, 'server');
    const clients = [
      { key: 'bare', script: join(DIR, 'new', 'e2e-client.js'), c: 'bare' as ClientCase },
      { key: 'base', script: join(DIR, 'base', 'e2e-client.js'), c: lib },
      { key: 'new', script: join(DIR, 'new', 'e2e-client.js'), c: lib },
    ];
    const per = new Map<string, number[]>(clients.map((c) => [c.key, []]));
    const ratios = { newOverBase: [] as number[], baseOverBare: [] as number[], newOverBare: [] as number[] };
    console.log(`e2e A/B: ${lib}, base ${ref}, stream ${streamKey(spec)}, ${rounds} rounds; CPU µs per frame`);
    console.log('round   bare    base     new   new/base  base/bare  new/bare');
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? clients : [...clients].reverse();
      const got: Record<string, number> = {};
      for (const c of order) got[c.key] = await runClient(c.script, c.c, port, spec);
      const [bare, base, now] = [got.bare as number, got.base as number, got.new as number];
      for (const c of clients) per.get(c.key)?.push(got[c.key] as number);
      ratios.newOverBase.push(now / base);
      ratios.baseOverBare.push(base / bare);
      ratios.newOverBare.push(now / bare);
      console.log(`${String(r + 1).padStart(5)} ${[bare, base, now].map((x) => fmt(x).padStart(7)).join(' ')} ${fmt(now / base).padStart(10)} ${fmt(base / bare).padStart(10)} ${fmt(now / bare).padStart(9)}`);
    }
    console.log(`medians (min–max): bare ${range(per.get('bare') ?? [])}, base ${range(per.get('base') ?? [])}, new ${range(per.get('new') ?? [])}`);
    console.log(`paired ratios: new/base ${range(ratios.newOverBase)}, base/bare ${range(ratios.baseOverBare)}, new/bare ${range(ratios.newOverBare)}`);
    console.log(`ratios of medians: new/base ${fmt(median(per.get('new') ?? []) / median(per.get('base') ?? []))}, new/bare ${fmt(median(per.get('new') ?? []) / median(per.get('bare') ?? []))}`);
  } finally {
    if (server.connected) server.disconnect();
    if (server.exitCode === null) server.kill();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});

/**
 * Where (b)'s cost over (a) goes, in process (no `ws`): five consumers of the same orderBookL2
 * text, bundled with lib/ as users have it, fed in alternating blocks of 500 frames (the order
 * reversed every other block, each block's young-generation GC billed to it, as
 * bench/e2e-paired.ts does):
 *
 * - (p) `JSON.parse` alone;
 * - (m) + the bench's minimal persistent book (bench/minimal-book.ts: the floor of this design);
 * - (r) + `reduceTables` called directly;
 * - (v) + `reduceTables` and a depth-25 `createBookView` reading every state (what book$ computes);
 * - (b) the client: `BitmexWebSocket` with one `book$('XBTUSD')` over a stand-in socket
 *   (bench/bench-socket.ts): parse, session, routing, reducer, view, rxjs.
 *
 * Per run, each over (p); the medians and ranges over runs: the steady path. With `--fresh`,
 * each case runs instead in a fresh process over `--frames` frames from the partial (default
 * 100,000: the e2e bench's full stream, start-up and JIT included), cases interleaved, the order
 * reversed every other round; CPU of the whole process and of its main thread. Over loopback the
 * same split is `npx tsx bench/e2e.ts --e2e-cases=a,m,r,v,b` (`ws` included).
 *
 * ```sh
 * npx tsx bench/e2e-split.ts [--reps=9] [--rows=60000]
 * npx tsx bench/e2e-split.ts --fresh [--rounds=6] [--frames=100000]
 * ```
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { BitmexWebSocket, createBookView, emptyTables, reduceTables } from '../lib';
import type { TableFrame } from '../lib/protocol/frames';
import type { WebSocketCtor } from '../lib';
import { BenchSocket, timeBlocks } from './bench-socket';
import { median, positive } from './cli-args';
import { buildFrames } from './frames';
import { mainThreadNs } from './main-thread';
import { MinimalBook } from './minimal-book';

const ROOT = resolve(__dirname, '..');
const KEYS = ['p', 'm', 'r', 'v', 'b'] as const;
const LABELS: Record<(typeof KEYS)[number], string> = {
  p: '(p) JSON.parse',
  m: '(m) + minimal persistent book',
  r: '(r) + reduceTables',
  v: '(v) + reduceTables + book view',
  b: "(b) client book$('XBTUSD')",
};

interface Consumer {
  deliver(text: string): void;
  stop(): Promise<void>;
}

let sink = 0;

function parseOnly(): Consumer {
  return {
    deliver: (text) => {
      sink += (JSON.parse(text) as TableFrame).data.length;
    },
    stop: async () => {},
  };
}

function minimal(partial: string): Consumer {
  const book = new MinimalBook('XBTUSD');
  book.partial(JSON.parse(partial) as TableFrame);
  return { deliver: (text) => void book.apply(JSON.parse(text) as TableFrame), stop: async () => {} };
}

function reducer(partial: string, view: boolean): Consumer {
  let state = reduceTables(emptyTables(), JSON.parse(partial) as TableFrame);
  const bookView = view ? createBookView('XBTUSD') : undefined;
  bookView?.next(state);
  return {
    deliver: (text) => {
      state = reduceTables(state, JSON.parse(text) as TableFrame);
      bookView?.next(state);
    },
    stop: async () => {},
  };
}

async function client(): Promise<Consumer> {
  const c = new BitmexWebSocket({ endpoint: 'ws://127.0.0.1:9/realtime', heartbeat: false, WebSocketCtor: BenchSocket as unknown as WebSocketCtor });
  let emitted = 0;
  const sub = await new Promise<{ unsubscribe(): void }>((ready) => {
    const s = c.book$('XBTUSD').subscribe(() => {
      if (emitted++ === 0) ready(s);
    });
  });
  const socket = BenchSocket.last as BenchSocket;
  return {
    deliver: (text) => socket.deliver(text),
    stop: async () => {
      sub.unsubscribe();
      await c.close();
    },
  };
}

function make(k: (typeof KEYS)[number], partial: string): Consumer | Promise<Consumer> {
  return k === 'p' ? parseOnly() : k === 'm' ? minimal(partial) : k === 'r' ? reducer(partial, false) : k === 'v' ? reducer(partial, true) : client();
}

/** `--fresh`, in the child: one case over `--frames` frames from the partial; prints [µs/frame, main-thread share]. */
async function freshChild(k: (typeof KEYS)[number]): Promise<void> {
  const n = positive('frames', 100_000);
  const frames = buildFrames({ rows: Math.ceil(n * 1.7) });
  if (frames.frames.length < n) throw new Error(`only ${frames.frames.length} frames`);
  BenchSocket.partial = frames.partial;
  const c = await make(k, frames.partial);
  (globalThis as { gc?: () => void }).gc?.();
  const m0 = mainThreadNs();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) c.deliver(frames.frames[i] as string);
  const cpu = process.cpuUsage(c0);
  const main = (mainThreadNs() - m0) / 1000;
  await c.stop();
  console.log(JSON.stringify([(cpu.user + cpu.system) / n, main / (cpu.user + cpu.system)]));
}

/** `--fresh`, in the parent: rounds of fresh processes, one per case. */
function fresh(bundle: string): void {
  const rounds = positive('rounds', 6);
  const per = new Map<string, number[]>(KEYS.map((k) => [k, []]));
  const share = new Map<string, number[]>(KEYS.map((k) => [k, []]));
  const over = new Map<string, number[]>(KEYS.map((k) => [k, []]));
  console.log(`e2e split, fresh processes (bundled, no ws), ${positive('frames', 100_000)} frames from the partial, ${rounds} rounds; CPU µs per frame`);
  console.log(`round ${KEYS.map((k) => k.padStart(7)).join('')}   ${KEYS.slice(1).map((k) => `${k}/p`.padStart(6)).join(' ')}`);
  for (let r = 0; r < rounds; r++) {
    const got = new Map<string, number>();
    for (const k of r % 2 === 0 ? KEYS : [...KEYS].reverse()) {
      const out = execFileSync(process.execPath, ['--expose-gc', bundle, 'fresh', k, ...process.argv.slice(2)], { encoding: 'utf8' });
      const [us, main] = JSON.parse(out.trim().split('\n').pop() as string) as [number, number];
      got.set(k, us);
      per.get(k)?.push(us);
      share.get(k)?.push(main);
    }
    const p = got.get('p') as number;
    for (const k of KEYS) over.get(k)?.push((got.get(k) as number) / p);
    console.log(`${String(r + 1).padStart(5)} ${KEYS.map((k) => (got.get(k) as number).toFixed(2).padStart(7)).join('')}   ${KEYS.slice(1).map((k) => ((got.get(k) as number) / p).toFixed(2).padStart(6)).join(' ')}`);
  }
  const range = (xs: readonly number[]): string => `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
  for (const k of KEYS) {
    const main = `main thread ${(100 * median(share.get(k) ?? [])).toFixed(0)}%`;
    console.log(`${LABELS[k].padEnd(34)} ${range(per.get(k) ?? [])} µs/frame, ${main}${k === 'p' ? '' : `, over (p) ${range(over.get(k) ?? [])}`}`);
  }
}

async function child(): Promise<void> {
  const reps = positive('reps', 9);
  const frames = buildFrames({ rows: positive('rows', 60_000) });
  BenchSocket.partial = frames.partial;
  const count = frames.frames.length;
  const per = new Map<string, number[]>(KEYS.map((k) => [k, []]));
  const over = new Map<string, number[]>(KEYS.map((k) => [k, []]));
  console.log(`e2e split, in process (bundled, no ws): ${count} frames in blocks of 500, ${reps} runs (+1 warm-up); CPU µs per frame`);
  console.log(`run ${KEYS.map((k) => k.padStart(7)).join('')}   ${KEYS.slice(1).map((k) => `${k}/p`.padStart(6)).join(' ')}`);
  for (let rep = 0; rep <= reps; rep++) {
    const made: Consumer[] = [];
    for (const k of rep % 2 === 0 ? KEYS : [...KEYS].reverse()) {
      made[KEYS.indexOf(k)] = await make(k, frames.partial);
    }
    (globalThis as { gc?: () => void }).gc?.();
    const cpu = timeBlocks(made, frames.frames, 500, rep % 2 === 1).map((us) => us / count);
    for (const c of made) await c.stop();
    if (rep === 0) continue;
    const p = cpu[0] as number;
    KEYS.forEach((k, i) => {
      per.get(k)?.push(cpu[i] as number);
      over.get(k)?.push((cpu[i] as number) / p);
    });
    console.log(`${String(rep).padStart(3)} ${cpu.map((x) => x.toFixed(2).padStart(7)).join('')}   ${cpu.slice(1).map((x) => (x / p).toFixed(2).padStart(6)).join(' ')}`);
  }
  const range = (xs: readonly number[]): string => `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;
  for (const k of KEYS) console.log(`${LABELS[k].padEnd(34)} ${range(per.get(k) ?? [])} µs/frame${k === 'p' ? '' : `, over (p) ${range(over.get(k) ?? [])}`}`);
  if (sink < 0) console.log(sink);
}

const fail = (e: unknown): void => {
  console.error(e);
  process.exitCode = 1;
};
if (process.argv[2] === 'child') {
  child().catch(fail);
} else if (process.argv[2] === 'fresh') {
  const k = process.argv[3] as (typeof KEYS)[number];
  if (!KEYS.includes(k)) throw new TypeError(`unknown case ${k}`);
  freshChild(k).catch(fail);
} else if (require.main === module) {
  // Bundled so lib/ runs as users have it (tsx reads every import through a getter).
  const dir = join(ROOT, '.tmp', 'e2e-split');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, 'e2e-split.js');
  buildSync({ entryPoints: [__filename], outfile: out, bundle: true, platform: 'node', format: 'cjs', target: 'node18', packages: 'external', logLevel: 'warning' });
  if (process.argv.includes('--fresh')) fresh(out);
  else execFileSync(process.execPath, ['--expose-gc', out, 'child', ...process.argv.slice(2)], { stdio: 'inherit' });
}

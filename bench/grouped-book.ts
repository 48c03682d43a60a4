/**
 * Grouped `book$` against plain `book$`, end to end through the client: the same orderBookL2
 * traffic (bench/frames.ts: a 2 x 5,000-level XBTUSD book, 1–4 rows per frame, mostly near the
 * top) goes as text through a stand-in socket into `BitmexWebSocket` (parse, session, topics,
 * reducer, view) to one subscriber of
 *
 * - (u) `book$('XBTUSD', { depth: 25 })`, and
 * - (g) `book$('XBTUSD', { depth: 25, group: 10, tickSize: 0.5 })`: 25 buckets of 20 ticks a side.
 *
 * Each repetition builds a fresh client per case, delivers the partial, then times the delta
 * frames; repetitions of the two cases alternate, and the figure is the median over
 * repetitions of g's time over u's in the same repetition (process CPU time).
 *
 * ```sh
 * node --expose-gc --import tsx bench/grouped-book.ts [--reps=9] [--rows=100000]
 * ```
 * Target (issue 16): g / u <= 1.2. Not part of the tests.
 * @module
 */
import { BitmexWebSocket, type WebSocketCtor } from '../lib';
import { buildFrames, type BenchFrames } from './frames';

/** A socket that answers the subscribe with the partial and is then fed frames by the bench. */
class BenchSocket {
  static partial = '';
  readyState = 0;
  onopen: ((e: unknown) => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onerror: ((e: unknown) => void) | null = null;
  binaryType = 'arraybuffer';
  private readonly closeListeners: ((e: { code: number; reason: string }) => void)[] = [];
  static last: BenchSocket | undefined;

  constructor(readonly url: string) {
    BenchSocket.last = this;
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.({});
      this.deliver(JSON.stringify({ info: 'Welcome', version: 'bench', timestamp: new Date().toISOString(), limit: { remaining: 700 } }));
    }, 0);
  }

  deliver(text: string): void {
    this.onmessage?.({ data: text });
  }

  send(text: string): void {
    if (text === 'ping') return void setTimeout(() => this.deliver('pong'), 0);
    const req = JSON.parse(text) as { op: string; args: string[] };
    if (req.op !== 'subscribe') return;
    setTimeout(() => {
      for (const topic of req.args) {
        this.deliver(JSON.stringify({ success: true, subscribe: topic, request: req }));
        if (topic === 'orderBookL2:XBTUSD') this.deliver(BenchSocket.partial);
      }
    }, 0);
  }

  addEventListener(type: string, fn: (e: { code: number; reason: string }) => void): void {
    if (type === 'close') this.closeListeners.push(fn);
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    this.onclose?.({ code, reason, wasClean: true });
    for (const fn of this.closeListeners) fn({ code, reason });
  }
}

interface Case {
  readonly name: string;
  readonly options: { depth: number; group?: number; tickSize?: number };
}

const CASES: readonly Case[] = [
  { name: "(u) book$('XBTUSD', { depth: 25 })", options: { depth: 25 } },
  { name: "(g) book$('XBTUSD', { depth: 25, group: 10 })", options: { depth: 25, group: 10, tickSize: 0.5 } },
];

function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** One run: a fresh client, the partial, then the timed frames. Returns CPU µs and emissions. */
async function runOnce(c: Case, frames: BenchFrames, count: number): Promise<{ cpuUs: number; emitted: number }> {
  const client = new BitmexWebSocket({ endpoint: 'ws://127.0.0.1:9/realtime', heartbeat: false, WebSocketCtor: BenchSocket as unknown as WebSocketCtor });
  let emitted = 0;
  let ready: () => void = () => undefined;
  const first = new Promise<void>((r) => (ready = r));
  const sub = client.book$('XBTUSD', c.options).subscribe(() => {
    emitted++;
    if (emitted === 1) ready();
  });
  await first;
  const socket = BenchSocket.last as BenchSocket;
  gc();
  emitted = 0;
  const t0 = process.cpuUsage();
  for (let i = 0; i < count; i++) socket.deliver(frames.frames[i] as string);
  const t = process.cpuUsage(t0);
  sub.unsubscribe();
  await client.close();
  return { cpuUs: t.user + t.system, emitted };
}

function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : Number(hit.slice(name.length + 3));
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Runs the two cases, alternating, and prints per-frame costs and the paired ratio. */
export async function runGroupedBench(): Promise<number> {
  const reps = arg('reps', 9);
  const frames = buildFrames({ rows: arg('rows', 100_000) });
  BenchSocket.partial = frames.partial;
  const count = frames.frames.length;
  console.log(`grouped book$: ${frames.levels} levels, ${count} delta frames per run, ${reps} runs per case (+1 warm-up)`);
  const times: number[][] = CASES.map(() => []);
  const emitted: number[] = CASES.map(() => 0);
  for (let r = 0; r <= reps; r++) {
    for (let i = 0; i < CASES.length; i++) {
      const res = await runOnce(CASES[i] as Case, frames, count);
      if (r > 0) (times[i] as number[]).push(res.cpuUs);
      emitted[i] = res.emitted;
    }
  }
  CASES.forEach((c, i) => {
    const us = median(times[i] as number[]) / count;
    console.log(`  ${c.name.padEnd(48)} ${us.toFixed(2).padStart(7)} µs/frame CPU   ${emitted[i]} snapshots`);
  });
  const ratios = (times[1] as number[]).map((g, k) => g / ((times[0] as number[])[k] as number));
  const ratio = median(ratios);
  console.log(`  ratio g / u, CPU per frame (median of paired runs): ${ratio.toFixed(3)}   target <= 1.2   (runs ${ratios.map((x) => x.toFixed(2)).join(' ')})`);
  return ratio;
}

if (require.main === module) {
  runGroupedBench().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}

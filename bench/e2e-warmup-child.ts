/**
 * Child of bench/e2e-warmup.ts, bundled with one version of lib/: a fresh process, one client
 * with one `book$('XBTUSD')` subscriber fed the bench traffic through a stand-in socket
 * (bench/bench-socket.ts), timed from the partial in blocks. Per block: CPU of the whole process
 * (`process.cpuUsage`, every thread) and of the main thread alone (Linux's schedstat), so the
 * JIT's compiles on helper threads show apart from the code running. Prints one JSON line.
 * @module
 */
import type { BitmexWebSocket, WebSocketCtor } from '../lib';
import { BenchSocket } from './bench-socket';
import { buildFrames } from './frames';
import { mainThreadNs } from './main-thread';

/** What one child reports: µs per frame of each block, in all and on the main thread. */
export interface WarmupResult {
  readonly frames: number;
  readonly block: number;
  readonly total: readonly number[];
  /** Empty where the main thread's time cannot be read (not Linux). */
  readonly main: readonly number[];
}

function flag(name: string, fallback: number): number {
  const v = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return v === undefined ? fallback : Number(v);
}

/** Runs the child with `lib`'s client. */
export async function runWarmupChild(lib: { readonly BitmexWebSocket: typeof BitmexWebSocket }): Promise<void> {
  const frames = flag('frames', 100_000);
  const block = flag('block', 10_000);
  const traffic = buildFrames({ rows: Math.ceil(frames * 1.7) });
  if (traffic.frames.length < frames) throw new Error(`only ${traffic.frames.length} frames`);
  BenchSocket.partial = traffic.partial;
  const client = new lib.BitmexWebSocket({ endpoint: 'ws://127.0.0.1:9/realtime', heartbeat: false, WebSocketCtor: BenchSocket as unknown as WebSocketCtor });
  let emitted = 0;
  await new Promise<void>((ready) => {
    client.book$('XBTUSD').subscribe(() => {
      if (emitted++ === 0) ready();
    });
  });
  const socket = BenchSocket.last as BenchSocket;
  (globalThis as { gc?: () => void }).gc?.();
  const total: number[] = [];
  const main: number[] = [];
  for (let from = 0; from < frames; from += block) {
    const to = Math.min(frames, from + block);
    const m0 = mainThreadNs();
    const c0 = process.cpuUsage();
    for (let f = from; f < to; f++) socket.deliver(traffic.frames[f] as string);
    const c = process.cpuUsage(c0);
    const m = mainThreadNs() - m0;
    total.push((c.user + c.system) / (to - from));
    if (m === m) main.push(m / 1000 / (to - from));
  }
  await client.close();
  const result: WarmupResult = { frames, block, total, main: main.length === total.length ? main : [] };
  console.log(JSON.stringify(result));
}

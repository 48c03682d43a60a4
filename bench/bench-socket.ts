/**
 * A stand-in WebSocket for in-process client benchmarks (bench/grouped-book.ts,
 * bench/e2e-paired.ts): it welcomes, answers a subscribe with the partial set in
 * {@link BenchSocket.partial}, and is then fed frames by the benchmark through `deliver`, so a
 * `BitmexWebSocket` given it as `WebSocketCtor` runs its whole path (parse, session, topics,
 * reducer, view) with no network and no `ws` in the measurement. {@link timeBlocks} feeds several
 * such sockets the same frames in alternating blocks.
 * @module
 */

/** A socket that answers the subscribe with the partial and is then fed frames by the bench. */
export class BenchSocket {
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

function minorGc(): void {
  const g = (globalThis as { gc?: (o: { type: string }) => void }).gc;
  if (g === undefined) throw new Error('run with node --expose-gc');
  g({ type: 'minor' });
}

/**
 * Delivers `frames` to every socket in blocks of `block`, each block to one socket after the
 * other (the order reversed every other block, and with `flip`), and returns each socket's
 * process CPU µs, a young-generation GC at the end of each block included: the clients share one
 * heap, and a collection another case's block happened to trigger would otherwise bill it.
 */
export function timeBlocks(sockets: readonly Pick<BenchSocket, 'deliver'>[], frames: readonly string[], block: number, flip: boolean): number[] {
  const cpuUs = sockets.map(() => 0);
  for (let from = 0, b = 0; from < frames.length; from += block, b++) {
    const to = Math.min(frames.length, from + block);
    for (let k = 0; k < sockets.length; k++) {
      const i = (b % 2 === 0) !== flip ? k : sockets.length - 1 - k;
      const socket = sockets[i] as Pick<BenchSocket, 'deliver'>;
      const t0 = process.cpuUsage();
      for (let f = from; f < to; f++) socket.deliver(frames[f] as string);
      minorGc();
      const t = process.cpuUsage(t0);
      cpuUs[i] = (cpuUs[i] as number) + t.user + t.system;
    }
  }
  return cpuUs;
}

/**
 * Child process of the end-to-end benchmark (bench/e2e.ts): one client, one run.
 *
 * `--case=bare|library|library-changes|connector|bare-minimal|bare-reduce|bare-view --port=P
 * --stream=X:W+K` connects to
 * bench/e2e-server.ts, subscribes to orderBookL2:XBTUSD and measures its own CPU time
 * (process.cpuUsage: user + system, all threads) and wall time from the moment the partial (or,
 * with W > 0, the warm-up marker after W deltas) has been handled, after a forced GC, to the
 * moment the end marker, K deltas later, has been handled. Then it reports a
 * {@link ClientResult} over IPC (or prints it, when started by hand) and exits.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import WebSocket from 'ws';
import { BitmexWebSocket, createBookView, emptyTables, reduceTables, rowsOf } from '../lib';
import type { BookSnapshot, BookView, TablesState } from '../lib';
import type { TableFrame } from '../lib/protocol/frames';
import { MinimalBook } from './minimal-book';
import { MARKER_SIZE, SYMBOL, TOPIC, WARMUP_MARKER_SIZE, parseStreamKey, streamKey } from './e2e-shared';
import type { ClientCase, ClientResult, FinalBook, Level } from './e2e-shared';

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g === undefined) throw new Error('run with node --expose-gc');
  g();
}

/**
 * CPU ticks (user + system, 1/100 s) of this process's main thread and of all its threads,
 * from /proc (Linux only; undefined elsewhere). Tells JIT and GC helper threads' share apart.
 */
function threadTicks(): { main: number; all: number } | undefined {
  const ticks = (stat: string): number => {
    // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  };
  try {
    let all = 0;
    let main = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      const t = ticks(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'));
      all += t;
      if (Number(tid) === process.pid) main = t;
    }
    return { main, all };
  } catch {
    return undefined;
  }
}

/** Opens and closes the measured window. */
class Window {
  private cpu0: NodeJS.CpuUsage | undefined;
  private wall0 = 0n;
  private ticks0: { main: number; all: number } | undefined;
  private elu0: EventLoopUtilization | undefined;
  callbacks = 0;

  get open(): boolean {
    return this.cpu0 !== undefined;
  }

  start(): void {
    gc();
    this.ticks0 = threadTicks();
    this.elu0 = performance.eventLoopUtilization();
    this.wall0 = process.hrtime.bigint();
    this.cpu0 = process.cpuUsage();
  }

  stop(c: ClientCase, frames: number): ClientResult {
    const cpu = process.cpuUsage(this.cpu0);
    const wall1 = process.hrtime.bigint();
    const elu = performance.eventLoopUtilization(this.elu0);
    const t0 = this.ticks0;
    const t1 = threadTicks();
    const mainShare = t0 !== undefined && t1 !== undefined && t1.all > t0.all ? (t1.main - t0.main) / (t1.all - t0.all) : undefined;
    return {
      case: c,
      frames,
      cpuUs: cpu.user + cpu.system,
      wallMs: Number(wall1 - this.wall0) / 1e6,
      callbacks: this.callbacks,
      ...(mainShare !== undefined ? { mainThreadShare: mainShare } : {}),
      loopUtilization: elu.utilization,
      windowUs: [Number(this.wall0 / 1000n), Number(wall1 / 1000n)],
    };
  }
}

/**
 * What a bare client does with each parsed table frame from the partial on (before the window
 * logic sees it), and the book it ends with; none for (a).
 */
interface FrameSink {
  frame(msg: TableFrame): void;
  final?(): FinalBook;
}

/**
 * (a) A bare `ws` client: JSON.parse of each message, nothing else; with `sink`, the diagnostic
 * cases that split (b)'s cost: (m), (r) and (v) below.
 */
function bare(c: ClientCase, url: string, warmup: number, k: number, done: (r: ClientResult) => void, sink?: FrameSink): void {
  const w = new Window();
  const ws = new WebSocket(url);
  let seen = 0;
  let deltas = 0;
  const onText = (text: string): void => {
    const msg = JSON.parse(text) as { data?: { size?: number }[] };
    seen++;
    if (sink !== undefined && seen >= 3) sink.frame(msg as unknown as TableFrame);
    if (seen === 1) {
      ws.send(JSON.stringify({ op: 'subscribe', args: [TOPIC] }));
    } else if (seen === 3) {
      if (warmup === 0) w.start(); // the partial (after welcome and the subscribe reply)
    } else if (seen > 3) {
      // After W warm-up deltas and their marker come the K timed ones.
      const timed = ++deltas - (warmup > 0 ? warmup + 1 : 0);
      if (timed === 0) {
        if (msg.data?.[0]?.size !== WARMUP_MARKER_SIZE) throw new Error('frame is not the warm-up marker');
        w.start();
      } else if (timed > 0) {
        w.callbacks++;
        if (timed === k) {
          const r = w.stop(c, k);
          if (msg.data?.[0]?.size !== MARKER_SIZE) throw new Error('last frame is not the marker');
          const final = sink?.final?.();
          done(final === undefined ? r : { ...r, final });
        }
      }
    }
  };
  // As the library's socket hears it (ws's EventTarget wrapper, a MessageEvent per message), or as a bare ws listener.
  if (c === 'bare-onmessage') ws.onmessage = (e) => onText(typeof e.data === 'string' ? e.data : String(e.data));
  else ws.on('message', (data) => onText(String(data)));
}

/** (m) + JSON.parse: the bench's minimal persistent book (bench/minimal-book.ts), the floor of this design. */
function minimalSink(): FrameSink {
  const book = new MinimalBook(SYMBOL);
  return {
    frame(msg) {
      if (msg.action === 'partial') book.partial(msg);
      else book.apply(msg);
    },
  };
}

/** The reducer's book as a {@link FinalBook}. */
function finalOf(state: TablesState): FinalBook {
  const view = createBookView(SYMBOL, { depth: 1 }).next(state);
  return { levels: rowsOf(state, 'orderBookL2', SYMBOL).length, bestBid: level(view?.bids[0]), bestAsk: level(view?.asks[0]) };
}

/**
 * (r) + `reduceTables` called directly on each parsed frame; with `view`, (v): + a depth-25
 * `createBookView` reading every state, as book$ does. No client, no rxjs, no routing.
 */
function reducerSink(view: boolean): FrameSink {
  let state = emptyTables();
  const bookView: BookView | undefined = view ? createBookView(SYMBOL) : undefined;
  return {
    frame(msg) {
      state = reduceTables(state, msg);
      bookView?.next(state);
    },
    final: () => finalOf(state),
  };
}

/**
 * (b') This library without the book view: one changes$ subscriber, to tell the reducer and
 * plumbing apart from book$'s top-of-book snapshots (a diagnostic, not a user's setup).
 */
function libraryChanges(url: string, warmup: number, k: number, done: (r: ClientResult) => void): void {
  const w = new Window();
  const client = new BitmexWebSocket({ endpoint: url, heartbeat: false });
  client.errors$.subscribe((e) => {
    throw e;
  });
  client.changes$('orderBookL2', SYMBOL).subscribe((change) => {
    const size = (change.rows[0] as { size?: unknown } | undefined)?.size;
    if (!w.open) {
      // The first batch is the partial's.
      if (warmup === 0 || size === WARMUP_MARKER_SIZE) w.start();
      return;
    }
    w.callbacks++;
    if (size === MARKER_SIZE) done(w.stop('library-changes', k));
  });
}

/** (b) This library: one book$ subscriber at the default depth. */
function library(url: string, warmup: number, k: number, done: (r: ClientResult) => void): void {
  const w = new Window();
  const client = new BitmexWebSocket({ endpoint: url, heartbeat: false });
  let finished = false;
  client.errors$.subscribe((e) => {
    throw e;
  });
  client.book$(SYMBOL).subscribe({
    next: (book: BookSnapshot) => {
      if (!w.open) {
        // The first snapshot is the partial's.
        if (warmup === 0 || book.bids[0]?.size === WARMUP_MARKER_SIZE) w.start();
        return;
      }
      w.callbacks++;
      if (book.bids[0]?.size === MARKER_SIZE && !finished) {
        finished = true;
        const r = w.stop('library', k);
        done({
          ...r,
          final: { levels: client.storage.rows('orderBookL2', SYMBOL).length, bestBid: level(book.bids[0]), bestAsk: level(book.asks[0]) },
        });
      }
    },
    error: (e: unknown) => {
      throw e;
    },
  });
}

function level(l: Level | undefined): Level {
  if (l === undefined) throw new Error('empty book side');
  return { price: l.price, size: l.size };
}

interface ConnectorRow {
  readonly side: string;
  readonly price: number;
  readonly size: number;
}

interface ConnectorClient {
  socket: { logConnection: boolean };
  on(event: 'error', fn: (e: unknown) => void): void;
  addStream(symbol: string, table: string, cb: (data: readonly ConnectorRow[]) => void): void;
}

/**
 * (c) bitmex-realtime-api, pointed at the local server: `endpoint` for the socket and
 * `httpEndpoint` for the stream list it fetches over REST before subscribing (both options of
 * its constructor). `maxTableLen` is lifted: its default (10,000 rows) would cut this
 * ~10,000-level book and make later updates fail.
 */
function connector(url: string, httpEndpoint: string, warmup: number, k: number, done: (r: ClientResult) => void): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const BitMEXClient = require('bitmex-realtime-api') as new (o: object) => ConnectorClient;
  const w = new Window();
  const client = new BitMEXClient({ endpoint: url, httpEndpoint, maxTableLen: Number.MAX_SAFE_INTEGER });
  client.socket.logConnection = false;
  client.on('error', (e) => {
    throw e instanceof Error ? e : new Error(String(e));
  });
  // One call per frame: the partial's, then one per delta (W warm-up ones and their marker first).
  const untimed = warmup > 0 ? warmup + 1 : 0;
  let calls = 0;
  client.addStream(SYMBOL, 'orderBookL2', (data) => {
    if (calls++ === untimed) {
      w.start();
      return;
    }
    if (!w.open) return;
    w.callbacks++;
    if (calls === untimed + 1 + k) {
      const r = w.stop('connector', k);
      let bid: ConnectorRow | undefined;
      let ask: ConnectorRow | undefined;
      for (const row of data) {
        if (row.side === 'Buy') {
          if (bid === undefined || row.price > bid.price) bid = row;
        } else if (ask === undefined || row.price < ask.price) {
          ask = row;
        }
      }
      done({ ...r, final: { levels: data.length, bestBid: level(bid), bestAsk: level(ask) } });
    }
  });
}

function arg(name: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (hit === undefined) throw new Error(`--${name}= is required`);
  return hit.slice(name.length + 3);
}

function main(): void {
  const c = arg('case') as ClientCase;
  const port = Number(arg('port'));
  const spec = parseStreamKey(arg('stream'));
  const { warmup, frames: k } = spec;
  const url = `ws://127.0.0.1:${port}/realtime?stream=${encodeURIComponent(streamKey(spec))}`;
  const done = (r: ClientResult): void => {
    if (process.send === undefined) {
      console.log(JSON.stringify(r));
      process.exit(0);
    }
    process.send(r, () => process.exit(0));
  };
  switch (c) {
    case 'bare':
    case 'bare-onmessage':
      return bare(c, url, warmup, k, done);
    case 'bare-minimal':
      return bare(c, url, warmup, k, done, minimalSink());
    case 'bare-reduce':
      return bare(c, url, warmup, k, done, reducerSink(false));
    case 'bare-view':
      return bare(c, url, warmup, k, done, reducerSink(true));
    case 'library':
      return library(url, warmup, k, done);
    case 'library-changes':
      return libraryChanges(url, warmup, k, done);
    case 'connector':
      return connector(url, `http://127.0.0.1:${port}/api/v1`, warmup, k, done);
    default: {
      const unreachable: never = c;
      throw new Error(`unknown case ${String(unreachable)}`);
    }
  }
}

if (require.main === module) main();

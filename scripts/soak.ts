/**
 * `npm run soak -- --seconds N [--seed S] [--quiet] [--trace]`: a randomized fault soak of the live client
 * against the simulator on 127.0.0.1 (issue 14).
 *
 * Observers of whole tables and of single symbols join and leave at random while faults hit the
 * connection: abrupt and clean drops, half-open sockets (a server gone silent), refused
 * handshakes, garbage and hostile frames, updates of unknown rows, deltas before partials,
 * 429/503 subscribe answers and bursts. After each fault the market pauses and the soak waits
 * for recovery, then checks that every observed book equals the simulator's truth, that the
 * server's topic set equals the observed set (less symbols served by their observed whole table), and (all along) that no per-symbol observer sees
 * another symbol's rows and no stream errors or completes. Prints the figures; exits 1 on any
 * violation. The seed (printed first) replays the same faults and observer moves; `--trace`
 * prints, with a violation, the requests and answers of the last cycles.
 */
import type { Subscription } from 'rxjs';
import WebSocket from 'ws';
import { BitmexConnectionError, BitmexInconsistencyError, BitmexWebSocket, FrameParseError, topicOf, type BookSnapshot } from '../lib';
import { BitmexSimulator } from '../lib/testing';
import { SeededRandom } from '../lib/testing/random';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const seconds = Number(flag('seconds') ?? 60);
const seed = Number(flag('seed') ?? Date.now() % 100000);
const quiet = args.includes('--quiet');
const tracing = args.includes('--trace');
if (!Number.isFinite(seconds) || seconds <= 0 || !Number.isInteger(seed)) {
  console.error('usage: npm run soak -- --seconds N [--seed S] [--quiet] [--trace]');
  process.exit(2);
}

// Seeded, so a failing run can be replayed with its seed.
const rng = new SeededRandom(seed);
const rnd = (): number => rng.next();
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const SYMBOLS = ['XBTUSD', 'ETHUSD', 'SOLUSD'] as const;
type Sym = (typeof SYMBOLS)[number];

/** One kind of observer: what it subscribes (its topic) and how it checks what it gets. */
interface ObserverKind {
  readonly name: string;
  readonly topic: string;
  /** Books are compared with the truth after each recovery. */
  readonly book?: { readonly symbol: Sym; readonly table: 'orderBookL2' | 'orderBookL2_25' };
  start(c: BitmexWebSocket, o: Observer): Subscription;
}

interface Observer {
  readonly kind: ObserverKind;
  sub: Subscription | undefined;
  latest: BookSnapshot | undefined;
}

const violations: string[] = [];
function violate(what: string): void {
  violations.push(`${new Date().toISOString()} ${what}`);
  if (!quiet) console.error(`VIOLATION: ${what}`);
}

const streamEnd = (name: string) => ({
  error: (e: unknown) => violate(`${name} errored: ${String(e)}`),
  complete: () => violate(`${name} completed before close`),
});

function kinds(): ObserverKind[] {
  const out: ObserverKind[] = [
    {
      name: 'changes$(orderBookL2)',
      topic: 'orderBookL2',
      start: (c) => c.changes$('orderBookL2').subscribe({ next: () => undefined, ...streamEnd('changes$(orderBookL2)') }),
    },
    {
      name: 'table$(trade)',
      topic: 'trade',
      start: (c) => c.table$('trade').subscribe({ next: () => undefined, ...streamEnd('table$(trade)') }),
    },
  ];
  for (const symbol of SYMBOLS) {
    for (const table of ['orderBookL2', 'orderBookL2_25'] as const) {
      const name = `book$(${symbol}, ${table})`;
      out.push({
        name,
        topic: topicOf(table, symbol),
        book: { symbol, table },
        start: (c, o) =>
          c.book$(symbol, { depth: 1000, table }).subscribe({
            next: (b) => {
              if (b.symbol !== symbol) violate(`${name} got a book of ${b.symbol}`);
              o.latest = b;
            },
            ...streamEnd(name),
          }),
      });
    }
    const trade = `table$(trade, ${symbol})`;
    out.push({
      name: trade,
      topic: topicOf('trade', symbol),
      start: (c) =>
        c.table$('trade', symbol).subscribe({
          next: (r) => r.symbol !== symbol && violate(`${trade} got a row of ${String(r.symbol)}`),
          ...streamEnd(trade),
        }),
    });
    const changes = `changes$(orderBookL2, ${symbol})`;
    out.push({
      name: changes,
      topic: topicOf('orderBookL2', symbol),
      start: (c) =>
        c.changes$('orderBookL2', symbol).subscribe({
          next: (ch) => {
            if (ch.symbol !== undefined && ch.symbol !== symbol) violate(`${changes} got a change of ${ch.symbol}`);
            for (const r of ch.rows) if (r.symbol !== symbol) violate(`${changes} got a row of ${String(r.symbol)}`);
          },
          ...streamEnd(changes),
        }),
    });
  }
  return out;
}

const GARBAGE = [
  '{"table":',
  'not json at all',
  '[1,2,3]',
  '{"table":"instrument","action":"partial","keys":null,"filter":{"symbol":"XBTUSD"},"data":[]}',
  '{"table":"toString","action":"partial","data":[]}',
  '{"table":"orderBookL2","action":"update","data":[null]}',
  '{"table":"orderBookL2","action":"upsert","data":[]}',
  '{"table":"instrument","action":"partial","keys":["symbol"],"filter":null,"data":[]}',
  `{"table":"instrument","action":"update","data":[{"symbol":${'['.repeat(5000)}1${']'.repeat(5000)}}]}`,
  '{"status":400,"error":"x","meta":"y","request":null}',
  '{"table":"chat","action":"insert","data":[{"id":1,"message":"unsolicited"}]}',
];

type Fault =
  | 'abrupt drop'
  | 'clean drop'
  | 'half-open'
  | 'refused handshakes'
  | 'garbage'
  | 'unknown row'
  | 'deltas before partials'
  | '429 subscribes'
  | '503 subscribes'
  | 'burst';
const FAULTS: readonly Fault[] = [
  'abrupt drop', 'clean drop', 'half-open', 'refused handshakes', 'garbage', 'unknown row', 'deltas before partials', '429 subscribes', '503 subscribes', 'burst',
];

function sameBook(b: BookSnapshot | undefined, sim: BitmexSimulator, symbol: Sym, table: 'orderBookL2' | 'orderBookL2_25'): boolean {
  if (b === undefined) return false;
  const t = sim.truth(symbol, table);
  const text = (side: readonly { price: number; size: number; id?: number | undefined }[]) => side.map((l) => `${l.price}@${l.size}#${l.id}`).join(',');
  return text(b.bids) === text(t.bids) && text(b.asks) === text(t.asks);
}

async function main(): Promise<void> {
  // The soak makes hundreds of connections; with BitMEX's budget of ~720 an hour the client would
  // rightly slow its reconnects to spread the rest over the hour (connection-budget.ts).
  console.log(`soak: seed ${seed}, ${seconds} s (replay: npm run soak -- --seconds ${seconds} --seed ${seed})`);
  const sim = new BitmexSimulator({ seed, tickMs: 20, eventsPerTick: 3, connectionBudget: 1_000_000 });
  const { url } = await sim.start();
  // --trace: the requests, answers and partials of the last cycles, printed with a violation.
  const trace: string[] = [];
  const note = (line: string): void => {
    if (!tracing) return;
    trace.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
    if (trace.length > 600) trace.splice(0, 100);
  };
  class TracedSocket extends WebSocket {
    constructor(address: string) {
      super(address);
      note(`connect ${address}`);
      this.addEventListener('message', (e) => {
        const text = String(e.data);
        // Data frames are the bulk: only partials (their head), which show what a topic got.
        if (text !== 'pong' && (!text.startsWith('{"table"') || text.includes('"action":"partial"'))) note(`<< ${text.slice(0, 160)}`);
      });
      this.addEventListener('close', (e) => note(`closed ${e.code}`));
    }
    override send(data: string): void {
      if (data !== 'ping') note(`>> ${data}`);
      super.send(data);
    }
  }
  const client = new BitmexWebSocket({
    ...(tracing ? { WebSocketCtor: TracedSocket } : {}),
    endpoint: url,
    heartbeat: { idleMs: 300, timeoutMs: 300 },
    reconnect: { initialDelayMs: 20, maxDelayMs: 300, resetAfterMs: 1000 },
    connectTimeoutMs: 1000,
  });
  const errorCounts = new Map<string, number>();
  const errorsSub = client.errors$.subscribe((e) => {
    const kind = e instanceof BitmexConnectionError ? 'connection' : e instanceof BitmexInconsistencyError ? 'inconsistency' : e instanceof FrameParseError ? 'frame' : e.name;
    errorCounts.set(kind, (errorCounts.get(kind) ?? 0) + 1);
  });

  const observers: Observer[] = kinds().map((kind) => ({ kind, sub: undefined, latest: undefined }));
  let moveLog: string[] = [];
  const joinOrLeave = (): void => {
    const o = pick(observers);
    moveLog.push(`${o.sub === undefined ? '+' : '-'}${o.kind.name}`);
    note(`observer ${o.sub === undefined ? '+' : '-'}${o.kind.name}`);
    if (o.sub === undefined) {
      o.latest = undefined;
      o.sub = o.kind.start(client, o);
    } else {
      o.sub.unsubscribe();
      o.sub = undefined;
      o.latest = undefined;
    }
  };
  // Start with a few observers of each sort.
  for (let i = 0; i < 6; i++) joinOrLeave();

  const faultCounts = new Map<Fault, number>();
  const recoveries: number[] = [];
  let cycles = 0;
  let lastFault: Fault | undefined;
  let joins = 0;
  const deadline = Date.now() + seconds * 1000;
  const started = Date.now();

  // A symbol's topic is served by its whole table's subscription while that is observed too.
  const observedTopics = (): string[] => {
    const topics = new Set(observers.filter((o) => o.sub !== undefined).map((o) => o.kind.topic));
    return [...topics].filter((t) => !(t.includes(':') && topics.has(t.slice(0, t.indexOf(':'))))).sort();
  };
  const serverTopics = (): string[] | undefined => {
    const conns = sim.connections().filter((c) => c.path === '/realtime');
    return conns.length === 1 ? [...(conns[0]?.subscriptions ?? [])].sort() : undefined;
  };

  /** Pauses the market and waits until topics and books agree with the truth; returns ms, or undefined on timeout. */
  const recover = async (limitMs: number): Promise<number | undefined> => {
    const t0 = Date.now();
    sim.stopTimer();
    try {
      for (;;) {
        const topics = serverTopics();
        const wanted = observedTopics();
        const topicsOk = topics !== undefined && topics.join() === wanted.join();
        const booksOk = observers.every((o) => o.sub === undefined || o.kind.book === undefined || sameBook(o.latest, sim, o.kind.book.symbol, o.kind.book.table));
        if (topicsOk && booksOk) return Date.now() - t0;
        if (Date.now() - t0 > limitMs) {
          const wrongBooks = observers.filter((o) => o.sub !== undefined && o.kind.book !== undefined && !sameBook(o.latest, sim, o.kind.book.symbol, o.kind.book.table));
          violate(
            `after ${lastFault ?? '?'} (observer moves ${moveLog.join(' ')}): no recovery within ${limitMs} ms: server topics ${JSON.stringify(topics)} vs observed ${JSON.stringify(wanted)}; wrong books: ${wrongBooks.map((o) => o.kind.name).join(', ') || 'none'}`,
          );
          if (tracing) console.error(trace.join('\n'));
          return undefined;
        }
        // A step makes the books move (the client must follow); then give it a moment.
        if (topicsOk) sim.step(1);
        await sleep(20);
      }
    } finally {
      sim.startTimer(20);
    }
  };

  while (Date.now() < deadline) {
    cycles++;
    moveLog = [];
    note(`cycle ${cycles}`);
    // Observers come and go between faults (and sometimes right at a fault).
    const moves = 1 + Math.floor(rnd() * 3);
    for (let i = 0; i < moves; i++) {
      joinOrLeave();
      joins++;
    }
    const fault = pick(FAULTS);
    note(`fault ${fault}`);
    faultCounts.set(fault, (faultCounts.get(fault) ?? 0) + 1);
    switch (fault) {
      case 'abrupt drop':
        sim.dropAll({ abrupt: true });
        break;
      case 'clean drop':
        sim.dropAll({ code: pick([1000, 1001, 1011, 4000]), reason: 'soak' });
        break;
      case 'half-open':
        // The server goes silent (no frames, no pongs): the heartbeat must find the socket dead,
        // and new sockets get no welcome until it speaks again.
        // Silent until the client has given the socket up (TCP loses no frame in the middle of a
        // live socket: what a half-open one loses, it loses for good), then some more.
        {
          const before = new Set(sim.connections().map((c) => c.id));
          sim.silence(true);
          const t0 = Date.now();
          while (sim.connections().some((c) => before.has(c.id)) && Date.now() - t0 < 10_000) await sleep(20);
          await sleep(rnd() * 1500);
          sim.silence(false);
        }
        break;
      case 'refused handshakes':
        sim.refuseHandshakes(1 + Math.floor(rnd() * 3), 0);
        sim.dropAll({ abrupt: rnd() < 0.5 });
        break;
      case 'garbage':
        for (let i = 0; i < 1 + rnd() * 4; i++) sim.sendRaw(pick(GARBAGE));
        break;
      case 'unknown row':
        sim.sendUnknownRowUpdate(pick(SYMBOLS), pick(['orderBookL2', 'orderBookL2_25'] as const));
        break;
      case 'deltas before partials':
        sim.deltasBeforePartial(1 + Math.floor(rnd() * 4));
        if (rnd() < 0.5) sim.dropAll({ abrupt: true });
        else joinOrLeave();
        break;
      case '429 subscribes':
        sim.rateLimitSubscribes(1 + Math.floor(rnd() * 3), 1);
        if (rnd() < 0.5) sim.dropAll({ abrupt: true });
        else joinOrLeave();
        break;
      case '503 subscribes':
        sim.rejectPendingSubscribes(1 + Math.floor(rnd() * 3));
        if (rnd() < 0.5) sim.dropAll({ abrupt: true });
        else joinOrLeave();
        break;
      case 'burst':
        sim.step(1000 + Math.floor(rnd() * 3000));
        break;
      default: {
        const unreachable: never = fault;
        throw new Error(String(unreachable));
      }
    }
    // Let the fault play out a little while the market runs, then check the recovery.
    await sleep(50 + rnd() * 300);
    lastFault = fault;
    const ms = await recover(20_000);
    if (ms !== undefined) recoveries.push(ms);
    if (!quiet && cycles % 25 === 0) {
      console.log(`${Math.round((Date.now() - started) / 1000)} s: ${cycles} cycles, ${violations.length} violations`);
    }
  }

  for (const o of observers) o.sub?.unsubscribe();
  errorsSub.unsubscribe();
  await client.close();
  const stats = sim.stats();
  await sim.stop();

  const sorted = [...recoveries].sort((a, b) => a - b);
  const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN;
  const report = {
    seconds: Math.round((Date.now() - started) / 1000),
    seed,
    cycles,
    observerMoves: joins,
    faults: Object.fromEntries([...faultCounts].sort()),
    recoveries: { count: recoveries.length, medianMs: q(0.5), p95Ms: q(0.95), maxMs: sorted[sorted.length - 1] ?? NaN },
    handshakes: stats.handshakes,
    serverFramesSent: stats.framesSent,
    marketEvents: stats.steps,
    errorsReported: Object.fromEntries([...errorCounts].sort()),
    violations: violations.length,
  };
  console.log(JSON.stringify(report, null, 2));
  if (violations.length > 0) {
    console.error(violations.slice(0, 20).join('\n'));
    process.exitCode = 1;
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});

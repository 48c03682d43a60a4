/**
 * Fuzz (issue 14): arbitrary JSON values and mutations of real BitMEX frames, into `reduceTables`
 * and into the live client over a socket on 127.0.0.1 — never a throw, never a wrong book on an
 * unrelated topic. Real frames are read from ../shared/real-frames where that directory exists
 * (it is never copied into the project); elsewhere the mutations start from built-in frames and
 * the test says so.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { Subscription } from 'rxjs';
import type { WebSocket as WsSocket } from 'ws';
import {
  BitmexWebSocket,
  bookOf,
  emptyTables,
  FrameParseError,
  parseFrame,
  reduceTables,
  type BookSnapshot,
  type TableFrame,
  type TablesState,
} from '../../lib';
import { waitFor } from '../support/helpers';
import { useRawServer, welcome } from '../support/raw-server';
import { HAVE_REAL, REAL_DIR } from '../support/real-frames';


/** The protected topic: nothing the fuzz sends names it. */
const SYMBOL = 'FUZZUSD';

const BUILT_IN = [
  '{"table":"orderBookL2","action":"partial","keys":["symbol","id","side"],"types":{"id":"long"},"filter":{"symbol":"XBTUSD"},"data":[{"symbol":"XBTUSD","id":1,"side":"Sell","size":5,"price":101},{"symbol":"XBTUSD","id":2,"side":"Buy","size":7,"price":100}]}',
  '{"table":"orderBookL2","action":"update","data":[{"symbol":"XBTUSD","id":1,"side":"Sell","size":6,"price":101}]}',
  '{"table":"orderBookL2","action":"insert","data":[{"symbol":"XBTUSD","id":3,"side":"Buy","size":1,"price":99}]}',
  '{"table":"orderBookL2","action":"delete","data":[{"symbol":"XBTUSD","id":3,"side":"Buy","price":99}]}',
  '{"table":"trade","action":"insert","data":[{"symbol":"XBTUSD","side":"Buy","size":1,"price":100,"timestamp":"2024-01-01T00:00:00.000Z"}]}',
  '{"table":"instrument","action":"partial","keys":["symbol"],"filter":{"symbol":"XBTUSD"},"data":[{"symbol":"XBTUSD","markPrice":100}]}',
  '{"status":429,"error":"Rate limit exceeded, retry in 1 seconds.","meta":{"retryAfter":1},"request":{"op":"subscribe","args":["trade:XBTUSD"]}}',
  '{"success":true,"subscribe":"trade:XBTUSD","request":{"op":"subscribe","args":["trade:XBTUSD"]}}',
  '{"info":"Welcome to the BitMEX Realtime API.","version":"2.0.0","timestamp":"2024-11-13T10:34:26.741Z","limit":{"remaining":719}}',
];

function realFrames(): string[] {
  if (!HAVE_REAL) return [];
  const out: string[] = [];
  for (const f of readdirSync(REAL_DIR).filter((n) => n.endsWith('.ndjson'))) {
    for (const line of readFileSync(resolve(REAL_DIR, f), 'utf8').split('\n')) if (line.trim() !== '' && line.length < 200_000) out.push(line);
  }
  return out;
}

const SEEDS = (() => {
  const real = realFrames();
  return real.length > 0 ? real : BUILT_IN;
})();

/** A mutation of a seed frame: at the n-th value of a walk, delete it, replace it, or change its kind. */
type Mutation = { readonly seed: number; readonly at: number; readonly how: 'delete' | 'replace' | 'stringify' | 'wrap' | 'truncate'; readonly value: unknown };

function mutate(m: Mutation): string {
  const text = SEEDS[m.seed % SEEDS.length] as string;
  if (m.how === 'truncate') return text.slice(0, m.at % (text.length + 1));
  const root = JSON.parse(text) as unknown;
  let n = m.at % 64;
  const visit = (v: unknown, set: (x: unknown) => void, remove: () => void): boolean => {
    if (n-- === 0) {
      if (m.how === 'delete') remove();
      else if (m.how === 'replace') set(m.value);
      else if (m.how === 'stringify') set(JSON.stringify(v) ?? null);
      else set([v]);
      return true;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (visit(v[i], (x) => (v[i] = x), () => v.splice(i, 1))) return true;
    } else if (typeof v === 'object' && v !== null) {
      const o = v as Record<string, unknown>;
      for (const k of Object.keys(o)) if (visit(o[k], (x) => (o[k] = x), () => delete o[k])) return true;
    }
    return false;
  };
  let out: unknown = root;
  visit(root, (x) => (out = x), () => (out = {}));
  return JSON.stringify(out) ?? 'null';
}

const mutation: fc.Arbitrary<string> = fc
  .record({
    seed: fc.nat(),
    at: fc.nat(),
    how: fc.constantFrom('delete', 'replace', 'stringify', 'wrap', 'truncate'),
    value: fc.jsonValue({ maxDepth: 3 }),
  })
  .map((m) => mutate(m as Mutation));

/** Arbitrary JSON, arbitrary table-frame-shaped JSON, and mutated real frames; none naming the protected symbol. */
const hostileText: fc.Arbitrary<string> = fc
  .oneof(
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc
      .record({
        table: fc.oneof(fc.constantFrom('orderBookL2', 'trade', 'instrument', 'toString', '__proto__', 'constructor'), fc.string()),
        action: fc.oneof(fc.constantFrom('partial', 'insert', 'update', 'delete'), fc.string()),
        keys: fc.option(fc.jsonValue({ maxDepth: 2 })),
        filter: fc.option(fc.jsonValue({ maxDepth: 2 })),
        data: fc.oneof(fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })),
      })
      .map((f) => JSON.stringify(f)),
    mutation,
    mutation,
    fc.string({ maxLength: 50 }),
  )
  .filter((t) => !t.includes(SYMBOL));

const PARTIAL = {
  table: 'orderBookL2',
  action: 'partial',
  keys: ['symbol', 'id', 'side'],
  filter: { symbol: SYMBOL },
  data: [
    { symbol: SYMBOL, id: 1, side: 'Sell', size: 10, price: 101 },
    { symbol: SYMBOL, id: 2, side: 'Buy', size: 20, price: 100 },
    { symbol: SYMBOL, id: 3, side: 'Buy', size: 30, price: 99 },
  ],
};

function levels(b: BookSnapshot | undefined): string {
  return b === undefined ? 'none' : `${b.bids.map((l) => `${l.price}@${l.size}`).join(',')}|${b.asks.map((l) => `${l.price}@${l.size}`).join(',')}`;
}

/** Whether a frame may legitimately change the protected image (a whole-table partial of its table). */
function touchesProtected(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const f = value as { table?: unknown; action?: unknown; filter?: unknown };
  if (f.table !== 'orderBookL2' || f.action !== 'partial') return false;
  const symbol = typeof f.filter === 'object' && f.filter !== null ? (f.filter as { symbol?: unknown }).symbol : undefined;
  return typeof symbol !== 'string';
}

describe('fuzz: reduceTables', () => {
  it(`never throws, and never changes the book of a symbol no frame names (${HAVE_REAL ? `mutating ${SEEDS.length} real frames from ../shared/real-frames` : 'real frames absent (../shared/real-frames does not exist): mutating built-in frames'})`, () => {
    if (!HAVE_REAL) console.log(`fuzz.spec: ${REAL_DIR} does not exist; mutations start from ${BUILT_IN.length} built-in frames`);
    fc.assert(
      fc.property(fc.array(hostileText, { minLength: 1, maxLength: 30 }), (texts) => {
        let state: TablesState = reduceTables(emptyTables(), PARTIAL as TableFrame);
        const before = levels(bookOf(state, SYMBOL, { depth: 100 }));
        for (const text of texts) {
          // The raw value, as if a caller skipped parsing, and the parsed frame, as the client does.
          let value: unknown;
          try {
            value = JSON.parse(text);
          } catch {
            value = text;
          }
          if (touchesProtected(value)) continue;
          state = reduceTables(state, value as TableFrame);
          const frame = parseFrame(text);
          if (!(frame instanceof FrameParseError) && frame.kind === 'table') state = reduceTables(state, frame);
        }
        expect(levels(bookOf(state, SYMBOL, { depth: 100 }))).toBe(before);
      }),
      { numRuns: 300 },
    );
  });
});

describe('fuzz: the live client', () => {
  const sockets = new Set<WsSocket>();
  const subs: Subscription[] = [];
  let client: BitmexWebSocket | undefined;
  // Welcome, and for a subscribe the success frame and a fixed partial.
  const raw = useRawServer((ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.send(welcome());
    return (req) => {
      if (!Array.isArray(req.args)) return;
      for (const topic of req.args) {
        ws.send(JSON.stringify({ success: true, [req.op]: topic, request: req }));
        if (req.op === 'subscribe') ws.send(JSON.stringify(PARTIAL));
      }
    };
  });

  afterEach(async () => {
    for (const s of subs.splice(0)) s.unsubscribe();
    await client?.close();
  });

  // A client per run: an unusable frame naming orderBookL2 resyncs the book (refetched, never
  // wrong), and resyncs close together back off (up to 30 s), as they must against a real flood.
  it('takes any frames without a throw, and the observed book stays exactly right', async () => {
    const problems: unknown[] = [];
    let errors = 0;
    let marker = 1000;
    await fc.assert(
      fc.asyncProperty(fc.array(hostileText, { minLength: 1, maxLength: 40 }), async (texts) => {
        await client?.close();
        const c = new BitmexWebSocket({ endpoint: raw.url, reconnect: { initialDelayMs: 10, maxDelayMs: 50 }, heartbeat: { idleMs: 2000, timeoutMs: 2000 } });
        client = c;
        subs.push(c.errors$.subscribe(() => errors++));
        let latest: BookSnapshot | undefined;
        subs.push(c.book$(SYMBOL, { depth: 100 }).subscribe({ next: (b) => (latest = b), error: (e) => problems.push(e) }));
        await waitFor(() => latest !== undefined && sockets.size === 1);
        for (const ws of sockets) for (const t of texts) ws.send(t);
        // Then a known update of the protected book: once it shows, everything before it was handled.
        marker++;
        const update = { table: 'orderBookL2', action: 'update', data: [{ symbol: SYMBOL, id: 2, side: 'Buy', size: marker, price: 100 }] };
        for (const ws of sockets) ws.send(JSON.stringify(update));
        // A resync or a reconnect (the last-resort guard) brings the partial back: send the marker again then.
        await waitFor(
          () => {
            if (latest?.bids[0]?.size === marker) return true;
            for (const ws of sockets) ws.send(JSON.stringify(update));
            return false;
          },
          5000,
          `marker ${marker}`,
        );
        expect(levels(latest)).toBe(`100@${marker},99@30|101@10`);
        expect(problems).toEqual([]);
      }),
      { numRuns: 40 },
    );
    expect(errors).toBeGreaterThan(0);
  });
});

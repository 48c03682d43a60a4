/**
 * Child process of the end-to-end benchmark (bench/e2e.ts): a bare `ws` server on 127.0.0.1
 * that replays pre-built orderBookL2 traffic, so its CPU is not counted against the client.
 *
 * Per connection: the welcome frame; on `subscribe` to `orderBookL2:XBTUSD` the success frame,
 * then the stream the URL names with `?stream=X:W+K` (see {@link StreamSpec}): a partial, W
 * untimed warm-up deltas followed (if W > 0) by a warm-up marker (the best bid updated to size
 * {@link WARMUP_MARKER_SIZE}), then K timed deltas, the last of them the end marker (size
 * {@link MARKER_SIZE}), all cut from {@link buildFrames}' traffic. The markers let every client
 * see where its window starts and ends without counting frames; streams with the same X time
 * the same frames whatever their warm-up. Deltas are framed on the wire ahead of time and
 * written straight to the TCP socket in 64 KB chunks, waiting for `drain`, so the server keeps
 * ahead of any client while never buffering more than a chunk in user space.
 *
 * Also answers the REST call bitmex-realtime-api makes at start-up
 * (`GET {httpEndpoint}/schema/websocketHelp`), so that connector needs no network either.
 *
 * Started with `--streams=X:W+K,...` (and an IPC channel); reports a {@link ServerReady} to the
 * parent once listening (or prints it, when started by hand).
 * @module
 */
import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import { once } from 'node:events';
import { WebSocketServer } from 'ws';
import { buildFrames } from './frames';
import { MARKER_SIZE, SYMBOL, TOPIC, WARMUP_MARKER_SIZE, parseStreamKey, streamKey } from './e2e-shared';
import type { Expected, ServerReady, StreamSpec } from './e2e-shared';

const CHUNK_BYTES = 64 * 1024;

interface Stream {
  /** The partial frame (JSON text). */
  readonly partial: string;
  /** Wire bytes of the deltas, already WebSocket-framed, cut in chunks. */
  readonly chunks: readonly Buffer[];
  readonly expected: Expected;
}

/** An unmasked, final text frame (server to client) around `payload`. */
function wsTextFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const headerLen = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(headerLen + n);
  out[0] = 0x81;
  if (n < 126) {
    out[1] = n;
  } else if (n < 65536) {
    out[1] = 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 127;
    out.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(out, headerLen);
  return out;
}

type Row = Record<string, unknown>;

/** The server's own image of the book (the benchmark's ids are unique across sides). */
class Book {
  readonly rows = new Map<number, Row>();

  constructor(partialRows: readonly Row[]) {
    for (const r of partialRows) this.rows.set(r.id as number, r);
  }

  apply(text: string): void {
    const f = JSON.parse(text) as { action: string; data: Row[] };
    for (const r of f.data) {
      const id = r.id as number;
      if (f.action === 'delete') {
        if (!this.rows.delete(id)) throw new Error(`bench traffic deletes unknown id ${id}`);
      } else if (f.action === 'insert') {
        this.rows.set(id, r);
      } else {
        const old = this.rows.get(id);
        if (old === undefined) throw new Error(`bench traffic updates unknown id ${id}`);
        this.rows.set(id, { ...old, ...r });
      }
    }
  }

  best(side: 'Buy' | 'Sell'): Row {
    let found: Row | undefined;
    for (const r of this.rows.values()) {
      if (r.side !== side) continue;
      if (found === undefined || (side === 'Buy' ? (r.price as number) > (found.price as number) : (r.price as number) < (found.price as number))) found = r;
    }
    if (found === undefined) throw new Error(`empty ${side} side`);
    return found;
  }

  /** Rows as a BitMEX partial lists them: sells from the highest price down, then buys. */
  partialRows(): Row[] {
    const price = (r: Row): number => r.price as number;
    const all = [...this.rows.values()];
    return [...all.filter((r) => r.side === 'Sell'), ...all.filter((r) => r.side === 'Buy')].sort(
      (a, b) => (a.side === b.side ? price(b) - price(a) : a.side === 'Sell' ? -1 : 1),
    );
  }

  /** An update of the best bid to `size` (the markers). */
  marker(size: number): string {
    const bid = this.best('Buy');
    const ts = '2024-11-13T12:00:00.000Z';
    return JSON.stringify({
      table: 'orderBookL2',
      action: 'update',
      data: [{ symbol: SYMBOL, id: bid.id, side: 'Buy', size, price: bid.price, timestamp: ts, transactTime: ts }],
    });
  }
}

/**
 * The stream `spec` over `all` (the traffic after `partial`): a partial of the book after
 * `all[0, start - warmup)`; the W warm-up deltas `all[start - warmup, start)` and, if W > 0, a
 * {@link WARMUP_MARKER_SIZE} marker; then K timed deltas, `all[start, start + K - 1)` and the
 * {@link MARKER_SIZE} marker. Streams of equal `start` time the same frames.
 */
function buildStream(partial: string, all: readonly string[], spec: StreamSpec): Stream {
  const { start, warmup, frames } = spec;
  if (frames < 1 || warmup > start || start + frames - 1 > all.length) throw new Error(`cannot cut stream ${streamKey(spec)} out of ${all.length} frames`);
  const head = JSON.parse(partial) as { data: Row[] };
  const book = new Book(head.data);
  for (let i = 0; i < start - warmup; i++) book.apply(all[i] as string);
  const partialText = start - warmup === 0 ? partial : JSON.stringify({ ...head, data: book.partialRows() });
  const texts: string[] = [];
  const push = (t: string): void => {
    book.apply(t);
    texts.push(t);
  };
  for (let i = start - warmup; i < start; i++) push(all[i] as string);
  if (warmup > 0) push(book.marker(WARMUP_MARKER_SIZE));
  const timedFrom = texts.length;
  for (let i = start; i < start + frames - 1; i++) push(all[i] as string);
  push(book.marker(MARKER_SIZE));
  const timed = texts.slice(timedFrom);
  const wire = Buffer.concat(texts.map((t) => wsTextFrame(Buffer.from(t, 'utf8'))));
  const chunks: Buffer[] = [];
  for (let at = 0; at < wire.length; at += CHUNK_BYTES) chunks.push(wire.subarray(at, at + CHUNK_BYTES));
  const level = (r: Row): { price: number; size: number } => ({ price: r.price as number, size: r.size as number });
  return {
    partial: partialText,
    chunks,
    expected: {
      levels: book.rows.size,
      bestBid: level(book.best('Buy')),
      bestAsk: level(book.best('Sell')),
      rows: timed.reduce((n, t) => n + (JSON.parse(t) as { data: unknown[] }).data.length, 0),
      bytes: timed.reduce((n, t) => n + Buffer.byteLength(t), 0),
    },
  };
}

async function writeAll(socket: Socket, chunks: readonly Buffer[]): Promise<void> {
  for (const chunk of chunks) {
    if (socket.destroyed) return;
    if (!socket.write(chunk)) await once(socket, 'drain');
  }
}

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

async function main(): Promise<void> {
  const wanted = (arg('streams') ?? '0:0+100000').split(',').map(parseStreamKey);
  const most = Math.max(...wanted.map((w) => w.start + w.frames));
  // ~1.55 rows per frame: ask for enough rows to get `most` frames.
  const traffic = buildFrames({ rows: Math.ceil(most * 1.7), symbol: SYMBOL });
  const streams = new Map<string, Stream>();
  for (const spec of wanted) streams.set(streamKey(spec), buildStream(traffic.partial, traffic.frames, spec));

  const subjects = ['orderBookL2', 'orderBookL2_25', 'orderBook10', 'instrument', 'trade', 'quote'];
  const http = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/api/v1/schema/websocketHelp') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ subscriptionSubjects: { public: subjects, authenticationRequired: [] } }));
      return;
    }
    res.writeHead(404).end();
  });
  const wss = new WebSocketServer({ server: http, path: '/realtime', perMessageDeflate: false });
  wss.on('connection', (ws, req) => {
    const query = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams;
    const key = query.get('stream') ?? '';
    const stream = streams.get(key);
    if (stream === undefined) {
      ws.close(4000, `no stream ${key} (have ${[...streams.keys()].join(', ')})`);
      return;
    }
    ws.send(
      JSON.stringify({
        info: 'Welcome to the BitMEX Realtime API.',
        version: '2.0.0',
        timestamp: new Date().toISOString(),
        docs: 'https://www.bitmex.com/app/wsAPI',
        heartbeatEnabled: false,
        limit: { remaining: 719 },
      }),
    );
    let started = false;
    ws.on('message', (data) => {
      const text = String(data);
      if (text === 'ping') {
        ws.send('pong');
        return;
      }
      let request: { op?: unknown; args?: unknown };
      try {
        request = JSON.parse(text) as typeof request;
      } catch {
        ws.send(JSON.stringify({ status: 400, error: `Failed to decode incoming data: ${text}`, meta: {} }));
        return;
      }
      const args = Array.isArray(request.args) ? request.args : [request.args];
      if (request.op !== 'subscribe' || args.length !== 1 || args[0] !== TOPIC || started) {
        ws.send(JSON.stringify({ status: 400, error: `Unrecognized request (this server only streams ${TOPIC})`, meta: {}, request }));
        return;
      }
      started = true;
      ws.send(JSON.stringify({ success: true, subscribe: TOPIC, request }));
      // The partial goes through ws itself; once it is out, the deltas follow on the raw socket.
      ws.send(stream.partial, () => {
        const socket = (ws as unknown as { _socket: Socket })._socket;
        writeAll(socket, stream.chunks).catch(() => undefined);
      });
    });
    ws.on('error', () => undefined);
  });
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const address = http.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  const expected: Record<string, Expected> = {};
  for (const [key, st] of streams) expected[key] = st.expected;
  const ready: ServerReady = { port: address.port, partialLevels: traffic.levels, expected };
  if (process.send === undefined) {
    console.log(JSON.stringify(ready)); // started by hand
  } else {
    process.send(ready);
    // The parent ends us by closing the IPC channel.
    process.on('disconnect', () => process.exit(0));
  }
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}

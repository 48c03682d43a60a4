/**
 * Real recorded BitMEX sessions (../shared/real-frames) served by a local server to the live
 * client: it subscribes the recorded topics (one request), the server answers with the recording
 * (its success frames, partials and deltas, as recorded). Every book equals an independent model
 * of the recording, every trade and quote arrives once, and nothing is reported. The operators'
 * replay (spec/operators/real-frames) leaves out the socket, the subscribe answers and the topics'
 * admission, which this one goes through.
 */
import type { BookSnapshot, TableFrame } from '../../lib';
import { parseFrame } from '../../lib';
import { collectErrors, waitFor } from '../support/helpers';
import { useRawServer, welcome } from '../support/raw-server';
import { itReal as itRealIn, Model, recordedLines, SESSIONS, shown } from '../support/real-frames';
import { useSimulator } from '../support/simulator';

const itReal = itRealIn(__filename);
const fx = useSimulator({ seed: 1 }, { heartbeat: false });

let recording: string[] = [];
const raw = useRawServer((ws) => {
  ws.send(welcome());
  let replayed = false;
  return (req) => {
    if (req.op !== 'subscribe' || replayed) return;
    replayed = true;
    // The recorded welcomes are left out: one per connection, sent above.
    for (const line of recording) if (!line.startsWith('{"info"')) ws.send(line);
  };
});

describe('real sessions through the live client', () => {
  itReal.each(SESSIONS)('%s: every book equals the model, every row arrives once, nothing reported', async (file) => {
    recording = recordedLines(file);
    const frames = recording.map((line) => parseFrame(line)).filter((f): f is TableFrame & { kind: 'table' } => !(f instanceof Error) && f.kind === 'table');
    const model = new Model();
    for (const f of frames) model.apply(f);
    // What the recording subscribed: books per table and symbol, and the symbols of the other tables.
    const books = new Map<string, BookSnapshot | undefined>();
    const others = new Map<string, Set<string>>();
    let rowsSent = 0;
    for (const f of frames) {
      const symbol = f.action === 'partial' ? f.filter?.symbol : undefined;
      if (typeof symbol === 'string') {
        if (f.table.startsWith('orderBook')) books.set(`${f.table}|${symbol}`, undefined);
        else others.set(f.table, (others.get(f.table) ?? new Set()).add(symbol));
      }
      if (!f.table.startsWith('orderBook') && (f.action === 'partial' || f.action === 'insert')) rowsSent += f.data.length;
    }
    const c = fx.client({ endpoint: raw.url });
    const errors = collectErrors(c);
    const streamErrors: unknown[] = [];
    for (const key of books.keys()) {
      const [table, symbol] = key.split('|') as ['orderBookL2', string];
      fx.keep(c.book$(symbol, { table, depth: 10 }).subscribe({ next: (b) => books.set(key, b), error: (e) => streamErrors.push(e) }));
    }
    let rowsSeen = 0;
    for (const [table, symbols] of others) fx.keep(c.table$(table, [...symbols]).subscribe({ next: () => rowsSeen++, error: (e) => streamErrors.push(e) }));
    const differing = (): string[] =>
      [...books].filter(([key, b]) => shown(b) !== model.top(...(key.split('|') as [string, string]))).map(([key, b]) => `${key}: ${shown(b)}`);
    await waitFor(() => differing().length === 0 && rowsSeen >= rowsSent, 10_000, 'every book equal to the model');
    expect(books.size).toBeGreaterThan(0);
    expect(rowsSeen).toBe(rowsSent);
    expect(errors).toEqual([]);
    expect(streamErrors).toEqual([]);
  });
});

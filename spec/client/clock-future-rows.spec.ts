/**
 * Rows stamped in the future (a broken or hostile feed): a row stamp bounds the server's clock
 * from below, so one stamped in 2099 made `clock$`, `clockOffsetMs` and `latency$` 73 years off
 * for as long as it stayed among the recent stamps. The server here runs on this machine's clock:
 * every sane estimate is within seconds of 0.
 *
 * The server sends rounds of 16 trade frames, each a round's stamp, and the next round only once
 * the client has all rows of the last and 300 ms passed: the clock reads a row stamp of every 16th
 * frame, at most every 250 ms, so it reads exactly one stamp of each round.
 */
import type { WebSocket } from 'ws';
import { BitmexWebSocket, type ClockEstimate, type LatencyReport } from '../../lib';
import { collectErrors, settle, waitFor, type ClientError } from '../support/helpers';
import { useRawServer, welcome } from '../support/raw-server';

const FUTURE = '2099-01-01T00:00:00.000Z';
/** Seconds, against the 73 years of the stamp in the future (and 3 minutes of a step). */
const SANE = 10_000;

let withTime = true;
/** The connection, once it answered the subscription (its partial sent: rows after it are admitted). */
let subscribed: WebSocket | undefined;
const raw = useRawServer((ws) => {
  ws.send(welcome(withTime));
  return (req) => {
    if (req.op !== 'subscribe') return;
    ws.send(JSON.stringify({ success: true, subscribe: 'trade:XBTUSD', request: req }));
    ws.send(JSON.stringify({ table: 'trade', action: 'partial', keys: [], filter: { symbol: 'XBTUSD' }, data: [] }));
    subscribed = ws;
  };
});

const clients: BitmexWebSocket[] = [];
afterEach(async () => {
  withTime = true;
  subscribed = undefined;
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

interface Watched {
  readonly estimates: ClockEstimate[];
  readonly reports: LatencyReport[];
  readonly errors: ClientError[];
  /** Sends one round stamped `stamp` (default: now) and waits until the client has its rows. */
  round(stamp?: () => string): Promise<void>;
}

let trades = 0;

/** A client observing XBTUSD trades, `clock$` and `latency$`, once its subscription is answered. */
async function watch(): Promise<Watched> {
  const c = new BitmexWebSocket({ endpoint: raw.url, heartbeat: false });
  clients.push(c);
  const w = { estimates: [] as ClockEstimate[], reports: [] as LatencyReport[], errors: collectErrors(c) };
  c.clock$.subscribe((e) => w.estimates.push(e));
  c.latency$.subscribe((r) => w.reports.push(r));
  let received = 0;
  c.table$('trade', 'XBTUSD').subscribe(() => received++);
  const ws = (await waitFor(() => subscribed, 5000, 'the subscription')) as WebSocket;
  const round = async (stamp: () => string = () => new Date().toISOString()): Promise<void> => {
    const expected = received + 16;
    for (let i = 0; i < 16; i++) {
      const row = { trdMatchID: `t${++trades}`, symbol: 'XBTUSD', side: 'Buy', size: 1, price: 100, timestamp: stamp() };
      ws.send(JSON.stringify({ table: 'trade', action: 'insert', data: [row] }));
    }
    await waitFor(() => received >= expected, 5000, 'the round');
    await settle(300);
  };
  return { ...w, round };
}

/** At least `least` rounds of rows stamped now, then more until `done` (at most 40 in all). */
async function roundsUntil(w: Watched, done: () => boolean, least: number): Promise<void> {
  for (let i = 0; i < least || !done(); i++) {
    if (i === 40) throw new Error('no latency report after 40 rounds');
    await w.round();
  }
}

/** Every estimate, the offset now and every latency report are within seconds. */
function expectSane(w: Watched, c: BitmexWebSocket): void {
  expect(w.estimates.length).toBeGreaterThan(0);
  for (const e of w.estimates) expect(Math.abs(e.offsetMs)).toBeLessThan(SANE);
  expect(Math.abs(c.clockOffsetMs as number)).toBeLessThan(SANE);
  // Latency: rows stamped now arrive ms later; the one from 2099 comes out 73 years early (below).
  for (const r of w.reports) expect(r.maxMs).toBeLessThan(SANE);
}

describe('rows stamped in the future', () => {
  it('one round of rows stamped in 2099 moves neither clock$, clockOffsetMs nor latency$; nothing on errors$', async () => {
    const w = await watch();
    await w.round();
    await w.round();
    await w.round(() => FUTURE);
    const reportsBefore = w.reports.length;
    // latency$ reports once per second that saw rows: rounds go on until two more came.
    await roundsUntil(w, () => w.reports.length > reportsBefore + 1, 4);
    expectSane(w, clients[0] as BitmexWebSocket);
    // The rows themselves are data: handed out as sent, nothing to report.
    expect(w.errors).toEqual([]);
  });

  it('a broken symbol, every other round from 2099, without a welcome timestamp: the clock rests on the others', async () => {
    withTime = false;
    const w = await watch();
    await w.round();
    for (let i = 0; i < 4; i++) {
      await w.round(() => FUTURE);
      await w.round();
    }
    const reportsBefore = w.reports.length;
    await roundsUntil(w, () => w.reports.length > reportsBefore, 1);
    expectSane(w, clients[0] as BitmexWebSocket);
    expect(w.errors).toEqual([]);
  });

  it('a server clock stepped 3 minutes forward, round after round, is followed', async () => {
    const STEP = 3 * 60_000;
    const w = await watch();
    await w.round();
    await w.round();
    expect(Math.abs(w.estimates[w.estimates.length - 1]?.offsetMs as number)).toBeLessThan(SANE);
    for (let i = 0; i < 4; i++) await w.round(() => new Date(Date.now() + STEP).toISOString());
    const c = clients[0] as BitmexWebSocket;
    expect(Math.abs((c.clockOffsetMs as number) - STEP)).toBeLessThan(SANE);
  });
});

/**
 * A raw server whose truth is one XBTUSD order-book level, sent in each partial, and a client
 * with that book live: for specs of frames that should (or should not) make the client fetch the
 * book again. Changing `size` and seeing it in the book shows a fresh partial arrived.
 */
import type { WebSocket } from 'ws';
import type { BitmexWebSocket } from '../../lib';
import { collectErrors, waitFor, type ClientError } from './helpers';
import { answerSuccess, useRawServer, welcome } from './raw-server';
import type { SimulatorFixture } from './simulator';

/** XBTUSD's one level, as an update sets it to size 5 (partials carry `size`). */
export const LEVEL = { symbol: 'XBTUSD', id: 1, side: 'Buy', size: 5, price: 100 };
export const SUBSCRIBED = ['subscribe orderBookL2:XBTUSD'];
/** The requests of a resync of XBTUSD's book after its subscribe. */
export const RESYNCED = [...SUBSCRIBED, 'unsubscribe orderBookL2:XBTUSD', 'subscribe orderBookL2:XBTUSD'];

export interface BookServer {
  readonly url: string;
  /** Each request received, as `"op topic,topic"` (none at each test's start). */
  readonly requests: readonly string[];
  /** Sends `text` on the latest connection. */
  send(text: string): void;
  /** The level's size in the next partials (10 at each test's start). */
  size: number;
  /** Rows the next partials carry besides the level, for the client to leave out (none at each test's start). */
  extraRows: unknown[];
}

/** Registers the server around each test; a whole table's partial has no symbol filter. */
export function useBookServer(): BookServer {
  let socket: WebSocket | undefined;
  const server = {
    requests: [] as string[],
    size: 10,
    extraRows: [] as unknown[],
    get url() {
      return raw.url;
    },
    send: (text: string) => socket?.send(text),
  };
  const raw = useRawServer((ws) => {
    socket = ws;
    ws.send(welcome());
    const partial = (topic: string): string => {
      const filter = topic.includes(':') ? { symbol: 'XBTUSD' } : {};
      const data = [{ ...LEVEL, size: server.size }, ...server.extraRows];
      return JSON.stringify({ table: 'orderBookL2', action: 'partial', keys: ['symbol', 'id', 'side'], filter, data });
    };
    return (req) => void server.requests.push(answerSuccess(ws, req, partial));
  });
  beforeEach(() => {
    server.requests = [];
    server.size = 10;
    server.extraRows = [];
  });
  return server;
}

/**
 * A client of `fx` with XBTUSD's book live at size 10 (`whole`: through the whole table's topic);
 * `sizes` gets the size of each book it emits.
 */
export async function liveBook(fx: SimulatorFixture, server: BookServer, whole = false): Promise<{ errors: ClientError[]; sizes: number[]; c: BitmexWebSocket }> {
  const c = fx.client({ endpoint: server.url });
  const errors = collectErrors(c);
  const sizes: number[] = [];
  if (whole) fx.keep(c.table$('orderBookL2').subscribe());
  fx.keep(c.book$('XBTUSD').subscribe((b) => sizes.push(b.bids[0]?.size ?? 0)));
  await waitFor(() => sizes.includes(10), 3000, 'the book live');
  return { errors, sizes, c };
}

/**
 * The simulator fixture of the client specs: a fresh simulator per test, clients and
 * subscriptions made through it closed after the test, and the one book-vs-truth check.
 */
import type { Subscription } from 'rxjs';
import { BitmexWebSocket, type BitmexWebSocketOptions, type BookSnapshot, type BookTable } from '../../lib';
import { BitmexSimulator, type BitmexSimulatorOptions } from '../../lib/testing';

/** What a spec file gets from {@link useSimulator}; valid inside tests. */
export interface SimulatorFixture {
  readonly sim: BitmexSimulator;
  readonly url: string;
  /** A client of this test's simulator (`defaults` then `options`), closed after the test. */
  client(options?: BitmexWebSocketOptions): BitmexWebSocket;
  /** Keeps a subscription until the end of the test. */
  keep(subscription: Subscription): void;
}

/** Registers beforeEach/afterEach that start and stop a simulator around every test. */
export function useSimulator(simOptions: BitmexSimulatorOptions, defaults: BitmexWebSocketOptions = {}): SimulatorFixture {
  let sim: BitmexSimulator | undefined;
  let url = '';
  const clients: BitmexWebSocket[] = [];
  const subs: Subscription[] = [];
  beforeEach(async () => {
    sim = new BitmexSimulator(simOptions);
    url = (await sim.start()).url;
  });
  afterEach(async () => {
    for (const s of subs.splice(0)) s.unsubscribe();
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await sim?.stop();
  });
  return {
    get sim() {
      if (sim === undefined) throw new Error('the simulator exists only inside a test');
      return sim;
    },
    get url() {
      return url;
    },
    client(options = {}) {
      const c = new BitmexWebSocket({ endpoint: url, ...defaults, ...options });
      clients.push(c);
      return c;
    },
    keep(subscription) {
      subs.push(subscription);
    },
  };
}

/**
 * Whether a snapshot shows the simulator's true book of `symbol`: the same prices and sizes (and
 * for orderBookL2 the same level ids) as the top `depth` levels (default: all) of each side of
 * `table`'s truth.
 */
export function isTrueBook(
  book: BookSnapshot | undefined,
  sim: BitmexSimulator,
  symbol: string,
  { table = 'orderBookL2', depth = Infinity }: { table?: BookTable; depth?: number } = {},
): boolean {
  if (book === undefined) return false;
  const truth = sim.truth(symbol, table);
  const withId = table === 'orderBookL2';
  const levels = (side: readonly { price: number; size: number; id?: number }[]) =>
    side.map((l) => `${l.price}@${l.size}${withId ? `#${l.id}` : ''}`).join(',');
  return levels(book.bids) === levels(truth.bids.slice(0, depth)) && levels(book.asks) === levels(truth.asks.slice(0, depth));
}

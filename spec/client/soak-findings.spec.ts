/**
 * Bugs the fault soak (scripts/soak.ts) found, each kept as a spec that failed before its fix.
 */
import type { BookSnapshot } from '../../lib';
import { isTrueBook, useSimulator } from '../support/simulator';
import { waitFor } from '../support/helpers';

const fx = useSimulator({ seed: 1 }, { heartbeat: { idleMs: 2000, timeoutMs: 2000 }, reconnect: { initialDelayMs: 20, maxDelayMs: 80 } });

it('a resubscribe whose first topics get 429 and the rest succeed: every book follows again', async () => {
  const c = fx.client();
  const books = new Map<string, BookSnapshot>();
  const watch = [['SOLUSD', 'orderBookL2'], ['XBTUSD', 'orderBookL2_25'], ['ETHUSD', 'orderBookL2_25']] as const;
  for (const [symbol, table] of watch) fx.keep(c.book$(symbol, { depth: 1000, table }).subscribe((b) => books.set(`${symbol} ${table}`, b)));
  fx.keep(c.changes$('orderBookL2').subscribe());
  await waitFor(() => fx.sim.connections()[0]?.subscriptions.length === 4 && books.size === 3);

  // The reconnect's one subscribe: the first two topics are refused with 429, the others succeed.
  fx.sim.rateLimitSubscribes(2, 1);
  fx.sim.dropAll({ abrupt: true });
  await waitFor(() => fx.sim.connections().length === 1 && fx.sim.connections()[0]?.subscriptions.length === 4, 5000, 'all four topics again');
  fx.sim.step(300);
  await waitFor(() => watch.every(([symbol, table]) => isTrueBook(books.get(`${symbol} ${table}`), fx.sim, symbol, { table })), 5000, 'books equal to truth');
});

it('an observer that leaves and another that joins the same topic in one tick: the book follows again', async () => {
  const c = fx.client();
  let latest: BookSnapshot | undefined;
  const first = c.book$('ETHUSD', { depth: 1000, table: 'orderBookL2_25' }).subscribe();
  await waitFor(() => fx.sim.connections()[0]?.subscriptions.includes('orderBookL2_25:ETHUSD'));
  await waitFor(() => c.storage.rows('orderBookL2_25', 'ETHUSD').length > 0);
  first.unsubscribe();
  fx.keep(c.book$('ETHUSD', { depth: 1000, table: 'orderBookL2_25' }).subscribe((b) => (latest = b)));
  fx.sim.step(300);
  await waitFor(() => isTrueBook(latest, fx.sim, 'ETHUSD', { table: 'orderBookL2_25' }), 5000, 'book equal to truth');
});

/**
 * Bugs the fault soak (scripts/soak.ts) found, each kept as a spec that failed before its fix.
 */
import type { BitmexApiError, BookSnapshot } from '../../lib';
import { isTrueBook, useSimulator } from '../support/simulator';
import { collectErrors, waitFor } from '../support/helpers';

const fx = useSimulator({ seed: 1 }, { heartbeat: { idleMs: 2000, timeoutMs: 2000 }, reconnect: { initialDelayMs: 20, maxDelayMs: 80 } });

it('a resubscribe whose first topics get 429 and the rest succeed: every book follows again', async () => {
  const c = fx.client();
  const books = new Map<string, BookSnapshot>();
  const watch = [['SOLUSD', 'orderBookL2'], ['XBTUSD', 'orderBookL2_25'], ['ETHUSD', 'orderBookL2_25']] as const;
  for (const [symbol, table] of watch) fx.keep(c.book$(symbol, { depth: 1000, table }).subscribe((b) => books.set(`${symbol} ${table}`, b)));
  fx.keep(c.changes$('orderBookL2').subscribe());
  // SOLUSD's orderBookL2 topic is served by the whole table's subscription: three on the server.
  await waitFor(() => fx.sim.connections()[0]?.subscriptions.length === 3 && books.size === 3);

  // The reconnect's one subscribe: the first two topics are refused with 429, the others succeed.
  fx.sim.rateLimitSubscribes(2, 1);
  fx.sim.dropAll({ abrupt: true });
  await waitFor(() => fx.sim.connections().length === 1 && fx.sim.connections()[0]?.subscriptions.length === 3, 5000, 'all three topics again');
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

it('three 429s (server-timed retries) then two 503s for one topic: the retries back off from the 503s alone', async () => {
  // Soak seed 5863: a topic refused 429, 429, 429, 503, 503 waited 4-8 s and then 8-16 s, as if
  // the 429s (each retried when the server said) had been failures of the backoff's own.
  const c = fx.client();
  const errors = collectErrors(c);
  await c.connect();
  fx.sim.rateLimitSubscribes(3, 0.1);
  fx.sim.rejectPendingSubscribes(2);
  let book: BookSnapshot | undefined;
  const t0 = Date.now();
  fx.keep(c.book$('XBTUSD', { depth: 1000, table: 'orderBookL2_25' }).subscribe((b) => (book = b)));
  // 3 x 0.1 s, then 0.5-1 s and 1-2 s of backoff: at most 3.3 s (before the fix: at least 12.3 s).
  await waitFor(() => book !== undefined, 6000, 'the book after five refusals');
  expect(Date.now() - t0).toBeLessThan(6000);
  const subscribes = fx.sim.received.filter((r) => r.text.includes('"subscribe"'));
  expect(subscribes).toHaveLength(6);
  for (const s of subscribes) expect(JSON.parse(s.text)).toEqual({ op: 'subscribe', args: ['orderBookL2_25:XBTUSD'] });
  fx.sim.step(100);
  await waitFor(() => isTrueBook(book, fx.sim, 'XBTUSD', { table: 'orderBookL2_25' }), 5000, 'book equal to truth');
  // Each refusal reported once, with when it was retried.
  expect(errors.map((e) => [(e as BitmexApiError).status, (e as BitmexApiError).retryInMs !== undefined])).toEqual([
    [429, true], [429, true], [429, true], [503, true], [503, true],
  ]);
  expect(errors.slice(0, 3).map((e) => (e as BitmexApiError).retryInMs)).toEqual([100, 100, 100]);
});

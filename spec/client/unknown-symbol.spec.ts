/**
 * A topic for an unknown symbol asked in the same request as good ones. BitMEX (and the
 * simulator) refuse it with "Unknown or expired symbol: FOO", naming the symbol only; that was
 * taken for every topic of the request not yet confirmed, so a good book asked in the same tick
 * errored with FOO's refusal.
 */
import { BitmexApiError, type BookSnapshot } from '../../lib';
import { waitFor } from '../support/helpers';
import { isTrueBook, useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 4 }, { heartbeat: false });

it('only the unknown symbol errors; the good ones asked with it flow', async () => {
  const c = fx.client();
  let fooError: unknown;
  fx.keep(c.book$('FOO').subscribe({ error: (e) => (fooError = e) }));
  let book: BookSnapshot | undefined;
  let xbtError: unknown;
  fx.keep(c.book$('XBTUSD', { depth: 10_000 }).subscribe({ next: (b) => (book = b), error: (e) => (xbtError = e) }));
  await waitFor(() => fooError !== undefined && book !== undefined, 3000, 'the refusal and the book');
  expect(fooError).toBeInstanceOf(BitmexApiError);
  expect((fooError as BitmexApiError).message).toContain('FOO');
  expect(fx.sim.requests().map((r) => r.args)).toEqual([['orderBookL2:FOO', 'orderBookL2:XBTUSD']]);
  fx.sim.step(100);
  await waitFor(() => isTrueBook(book, fx.sim, 'XBTUSD'), 3000, 'XBTUSD true');
  expect(xbtError).toBeUndefined();
});

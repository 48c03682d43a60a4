/**
 * The grouping code is loaded on first use (in browsers, a chunk fetched over the network). A
 * load that fails errors the `book$` stream that needed it; the next subscribe loads it again.
 */
import { firstValueFrom } from 'rxjs';
import { useSimulator } from '../support/simulator';

let mockLoads = 0;

// The first load of the grouping code fails as a chunk that did not download would.
jest.mock('../../lib/operators/book-of', () => {
  if (++mockLoads === 1) throw new Error('Failed to fetch dynamically imported module: book-of.mjs');
  return jest.requireActual('../../lib/operators/book-of');
});

const fx = useSimulator({ seed: 5, symbols: ['XBTUSD'] }, { heartbeat: false });

it('errors the grouped book$ when its code failed to load, and loads it again on the next subscribe', async () => {
  const c = fx.client();
  await expect(firstValueFrom(c.book$('XBTUSD', { depth: 4, group: 5 }))).rejects.toThrow(/book-of\.mjs/);
  const book = await firstValueFrom(c.book$('XBTUSD', { depth: 4, group: 5 }));
  expect(mockLoads).toBe(2);
  expect(book.bids).toHaveLength(4);
  expect(book.bids.every((l) => l.price % 5 === 0)).toBe(true);
});

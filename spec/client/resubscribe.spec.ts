/**
 * A topic left by its last observer and observed again in the same tick (a UI switching one
 * book stream for another with switchMap) gets a fresh image: its old one was dropped.
 */
import { firstValueFrom, filter, timeout } from 'rxjs';
import { isTrueBook, useSimulator } from '../support/simulator';

describe('observed again within one tick', () => {
  const fx = useSimulator({ symbols: ['XBTUSD'] }, { heartbeat: false });

  it('after the partial: the topic is resubscribed for a fresh partial', async () => {
    const client = fx.client();
    const first = client.book$('XBTUSD').subscribe();
    await firstValueFrom(client.book$('XBTUSD', { depth: 2 }).pipe(timeout(3000)));
    first.unsubscribe();
    const again = firstValueFrom(client.book$('XBTUSD', { depth: 10 }).pipe(filter((b) => isTrueBook(b, fx.sim, 'XBTUSD', { depth: 10 })), timeout(3000)));
    fx.sim.step(20);
    await expect(again).resolves.toBeDefined();
  });

  it('before the partial: the partial on its way is taken', async () => {
    const client = fx.client();
    await client.connect();
    const first = client.book$('XBTUSD').subscribe();
    await Promise.resolve(); // the subscribe goes out in a microtask
    await Promise.resolve();
    first.unsubscribe();
    const again = firstValueFrom(client.book$('XBTUSD', { depth: 10 }).pipe(filter((b) => isTrueBook(b, fx.sim, 'XBTUSD', { depth: 10 })), timeout(3000)));
    await expect(again).resolves.toBeDefined();
  });
});

/**
 * The grouping code is loaded on first use (a dynamic import): `book$` with `group` checks its
 * options at once and starts from the latest state once loaded; `storage.book` with the same
 * options gives the same book once that code has loaded.
 */
import { BitmexWebSocket, type DepthSnapshot } from '../../lib';
import { BitmexSimulator } from '../../lib/testing';
import { firstMatching, waitFor } from '../support/helpers';

describe('grouped books loaded on first use', () => {
  it('storage.book with group and cumulative gives what book$ with them shows', async () => {
    const sim = new BitmexSimulator({ seed: 7, symbols: ['XBTUSD'] });
    const { url } = await sim.start();
    const client = new BitmexWebSocket({ endpoint: url, heartbeat: false });
    try {
      const options = { depth: 5, group: 5, cumulative: true } as const;
      expect(() => client.storage.book('XBTUSD', { group: 0.3, tickSize: 0.5 })).toThrow(TypeError);
      let latest: DepthSnapshot | undefined;
      const sub = client.book$('XBTUSD', options).subscribe((b) => (latest = b));
      await waitFor(() => latest !== undefined);
      expect(latest!.bids).toHaveLength(5);
      expect(latest!.bids[4]!.cumSize).toBeGreaterThan(0);
      expect(client.storage.book('XBTUSD', options)).toEqual(latest);
      sim.step(20);
      await waitFor(() => JSON.stringify(client.storage.book('XBTUSD', options)) === JSON.stringify(latest));
      // Without group: the plain levels, the same as an ungrouped book$.
      const plain = await firstMatching(client.book$('XBTUSD', { depth: 3 }));
      expect(client.storage.book('XBTUSD', { depth: 3 })).toEqual(plain);
      sub.unsubscribe();
    } finally {
      await client.close();
      await sim.stop();
    }
  });
});

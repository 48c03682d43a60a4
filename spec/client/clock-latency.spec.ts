/**
 * The client's server clock estimate (`clock$`, `clockOffsetMs`) and `latency$`, against a
 * simulator whose clock is shifted and whose network adds delay each way.
 */
import { firstValueFrom, filter, take, timeout, toArray } from 'rxjs';
import { useSimulator } from '../support/simulator';

const SHIFT = 5 * 60_000;
const DELAY = 60;

describe('clock$ and latency$', () => {
  const fx = useSimulator({ symbols: ['XBTUSD'], clockOffsetMs: SHIFT, delayMs: DELAY, apiKeys: { key: 'secret' } }, { heartbeat: false });

  it('estimates the server clock offset from the welcome and a ping round trip', async () => {
    const client = fx.client();
    expect(client.clockOffsetMs).toBeUndefined();
    await client.connect();
    // The first estimate comes from the welcome alone (uncertain); the ping's round trip refines it.
    const est = await firstValueFrom(client.clock$.pipe(filter((e) => e.roundTripMs !== undefined), timeout(5000)));
    expect(est.roundTripMs).toBeGreaterThanOrEqual(2 * DELAY - 5);
    expect(Math.abs(est.offsetMs - SHIFT)).toBeLessThan(40);
    expect(Math.abs((client.clockOffsetMs as number) - SHIFT)).toBeLessThan(40);
  });

  it('reports latency corrected by the offset, about once a second, for observed tables', async () => {
    const client = fx.client();
    fx.keep(client.book$('XBTUSD').subscribe());
    fx.keep(client.table$('trade', 'XBTUSD').subscribe());
    await firstValueFrom(client.clock$.pipe(filter((e) => e.roundTripMs !== undefined), timeout(5000)));
    fx.sim.startTimer(20);
    const reports = await firstValueFrom(client.latency$.pipe(take(2), toArray(), timeout(6000)));
    for (const r of reports) {
      // Rows are stamped when the server makes them and arrive DELAY ms later: not 5 minutes.
      expect(r.medianMs).toBeGreaterThanOrEqual(DELAY - 40);
      expect(r.medianMs).toBeLessThan(DELAY + 150);
      expect(r.maxMs).toBeGreaterThanOrEqual(r.medianMs);
      expect(r.samples).toBeGreaterThan(5);
      expect(Object.keys(r.tables)).toContain('orderBookL2');
    }
    expect((reports[1] as { at: number }).at - (reports[0] as { at: number }).at).toBeGreaterThanOrEqual(900);
  });

  it('authenticates with a local clock minutes behind the server (signs with server time)', async () => {
    const client = fx.client({ apiKey: 'key', apiSecret: 'secret' });
    await expect(client.connect()).resolves.toBeUndefined();
    fx.keep(client.table$('position').subscribe());
  });
});

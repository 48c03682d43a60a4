/**
 * The client's server clock estimate (`clock$`, `clockOffsetMs`) and `latency$`, against a
 * simulator whose clock is shifted by minutes and whose network adds delay each way. Nothing
 * here depends on how fast the machine is: the figures are checked against the minutes of the
 * shift with a tolerance of seconds (a busy event loop moves them by milliseconds), and the
 * delay only as the least a round trip can take. The estimator's arithmetic is checked exactly,
 * on a virtual clock, in spec/views/latency.spec.ts.
 */
import { firstValueFrom, filter, take, timeout, toArray } from 'rxjs';
import { useSimulator } from '../support/simulator';

const SHIFT = 5 * 60_000;
const DELAY = 60;
/** How far an estimate may be off: seconds, against a shift of minutes. */
const TOLERANCE = 5_000;

describe('clock$ and latency$', () => {
  const fx = useSimulator({ symbols: ['XBTUSD'], clockOffsetMs: SHIFT, delayMs: DELAY, apiKeys: { key: 'secret' } }, { heartbeat: false });

  it('estimates the server clock offset from the welcome and a ping round trip', async () => {
    const client = fx.client();
    expect(client.clockOffsetMs).toBeUndefined();
    await client.connect();
    // The first estimate comes from the welcome alone (uncertain); the ping's round trip refines it.
    const est = await firstValueFrom(client.clock$.pipe(filter((e) => e.roundTripMs !== undefined), timeout(5000)));
    // A round trip crosses the simulated network twice (timers may fire a millisecond early).
    expect(est.roundTripMs).toBeGreaterThanOrEqual(2 * DELAY - 5);
    expect(est.uncertaintyMs).toBe((est.roundTripMs as number) / 2);
    expect(Math.abs(est.offsetMs - SHIFT)).toBeLessThan(TOLERANCE);
    expect(Math.abs((client.clockOffsetMs as number) - SHIFT)).toBeLessThan(TOLERANCE);
  });

  it('follows a server clock that steps forward, by the step', async () => {
    const client = fx.client();
    fx.keep(client.book$('XBTUSD').subscribe());
    const before = await firstValueFrom(client.clock$.pipe(filter((e) => e.roundTripMs !== undefined), timeout(5000)));
    const STEP = 3 * 60_000;
    fx.sim.setClockOffset(SHIFT + STEP);
    fx.sim.startTimer(20);
    // Rows stamped by the stepped clock arrive: the estimate moves by the step.
    const after = await firstValueFrom(client.clock$.pipe(filter((e) => e.offsetMs > SHIFT + STEP / 2), timeout(5000)));
    expect(Math.abs(after.offsetMs - before.offsetMs - STEP)).toBeLessThan(TOLERANCE);
    expect(Math.abs((client.clockOffsetMs as number) - (SHIFT + STEP))).toBeLessThan(TOLERANCE);
  });

  it('reports latency corrected by the offset, about once a second, for observed tables', async () => {
    const client = fx.client();
    fx.keep(client.book$('XBTUSD').subscribe());
    fx.keep(client.table$('trade', 'XBTUSD').subscribe());
    await firstValueFrom(client.clock$.pipe(filter((e) => e.roundTripMs !== undefined), timeout(5000)));
    fx.sim.startTimer(20);
    const reports = await firstValueFrom(client.latency$.pipe(take(2), toArray(), timeout(6000)));
    for (const r of reports) {
      // Rows are stamped by a clock 5 minutes ahead: corrected by the offset, they arrive about
      // DELAY ms after they were made, not 5 minutes before. (Its sign is not checked: within
      // the estimate's uncertainty a latency may come out slightly negative.)
      expect(Number.isFinite(r.medianMs)).toBe(true);
      expect(Math.abs(r.medianMs)).toBeLessThan(TOLERANCE);
      expect(r.maxMs).toBeGreaterThanOrEqual(r.medianMs);
      expect(Math.abs(r.maxMs)).toBeLessThan(SHIFT / 2);
      expect(r.samples).toBeGreaterThan(0);
      expect(Object.keys(r.tables)).toContain('orderBookL2');
    }
    // Windows of a second: a late timer only makes the gap longer.
    expect((reports[1] as { at: number }).at - (reports[0] as { at: number }).at).toBeGreaterThanOrEqual(900);
  });

  it('authenticates with a local clock minutes behind the server (signs with server time)', async () => {
    const client = fx.client({ apiKey: 'key', apiSecret: 'secret' });
    await expect(client.connect()).resolves.toBeUndefined();
    fx.keep(client.table$('position').subscribe());
  });
});

/**
 * The dead man's switch against a rate limit: `cancelAllAfter` answered with 429 and
 * `meta.retryAfter` pauses the re-arming for that long (clamped like a subscribe's), is reported
 * once with when it re-arms, and the switch then runs on as before.
 */
import { BitmexApiError } from '../../lib';
import { collectErrors, settle, waitFor } from '../support/helpers';
import { useSimulator } from '../support/simulator';

const KEY = 'dms-key';
const SECRET = 'dms-secret';
const fx = useSimulator({ seed: 4, apiKeys: { [KEY]: SECRET } }, { heartbeat: false, apiKey: KEY, apiSecret: SECRET });

const sent = (): number[] => fx.sim.cancelAllAfterLog.map((c) => c.at);

it('a 429 with retryAfter: nothing more is sent until it passes, one report, then re-armed and periodic again', async () => {
  fx.sim.rateLimitCancelAllAfter(1, 1);
  const c = fx.client({ deadMansSwitch: { timeoutMs: 60000, intervalMs: 100 } });
  const errors = collectErrors(c);
  await c.connect();
  await waitFor(() => errors.length > 0, 3000, 'the refusal reported');
  const refusedAt = Date.now();
  // Ten intervals would fit in the second asked for; the switch waits it out.
  await settle(700);
  expect(sent()).toHaveLength(1);
  await waitFor(() => c.cancelTime !== undefined, 3000, 're-armed');
  expect(Date.now() - refusedAt).toBeGreaterThanOrEqual(900);
  expect(fx.sim.deadMansSwitch(KEY)?.timeoutMs).toBe(60000);
  await waitFor(() => sent().length >= 4, 3000, 'periodic again');
  expect(errors).toHaveLength(1);
  const e = errors[0] as BitmexApiError;
  expect(e).toBeInstanceOf(BitmexApiError);
  expect(e.status).toBe(429);
  expect(e.retryInMs).toBe(1000);
  expect(e.request).toEqual({ op: 'cancelAllAfter', args: 60000 });
});

it('a retryAfter beyond an hour is taken as an hour, not as a timer that fires at once', async () => {
  fx.sim.rateLimitCancelAllAfter(1, 1e10);
  const c = fx.client({ deadMansSwitch: { timeoutMs: 60000, intervalMs: 100 } });
  const errors = collectErrors(c) as BitmexApiError[];
  await c.connect();
  await waitFor(() => errors.length > 0, 3000, 'the refusal reported');
  await settle(400);
  expect(sent()).toHaveLength(1);
  expect(errors.map((e) => e.retryInMs)).toEqual([3_600_000]);
});

it('requests already in flight refused too: one report, one pause', async () => {
  fx.sim.setDelay(150);
  fx.sim.rateLimitCancelAllAfter(3, 1);
  const c = fx.client({ deadMansSwitch: { timeoutMs: 60000, intervalMs: 100 } });
  const errors = collectErrors(c) as BitmexApiError[];
  await c.connect();
  await waitFor(() => fx.sim.cancelAllAfterLog.filter((x) => !x.accepted).length === 3, 3000, 'three refused');
  await waitFor(() => c.cancelTime !== undefined, 4000, 're-armed');
  expect(errors.map((e) => e.status)).toEqual([429]);
});

it('a reconnect during the pause waits it out before arming on the new socket', async () => {
  fx.sim.rateLimitCancelAllAfter(1, 2);
  const c = fx.client({ deadMansSwitch: { timeoutMs: 60000, intervalMs: 100 }, reconnect: { initialDelayMs: 10, maxDelayMs: 50 } });
  const errors = collectErrors(c);
  await c.connect();
  await waitFor(() => errors.length > 0, 3000, 'the refusal reported');
  const refusedAt = Date.now();
  const first = fx.sim.connections()[0]?.id;
  fx.sim.dropAll({ abrupt: true });
  await waitFor(() => fx.sim.connections().some((k) => k.id !== first), 3000, 'reconnected');
  await settle(300);
  expect(fx.sim.cancelAllAfterLog).toHaveLength(1);
  await waitFor(() => fx.sim.cancelAllAfterLog.length > 1, 4000, 'armed on the new socket');
  expect(fx.sim.cancelAllAfterLog[1]!.at - refusedAt).toBeGreaterThanOrEqual(1900);
});

/**
 * The signing code is loaded on first use (in browsers, a chunk fetched over the network). A
 * load that fails drops that socket like any failed connection attempt: reported on errors$
 * (never with the secret), retried with backoff, and the next attempt authenticates.
 */
import { BitmexConnectionError } from '../../lib';
import { collectErrors, waitFor } from '../support/helpers';
import { useSimulator } from '../support/simulator';

const KEY = 'load-key';
const SECRET = 'load-secret-never-shown';
let mockLoads = 0;

// The first load of lib/client/sign fails as a chunk that did not download would; later ones work.
jest.mock('../../lib/client/sign', () => {
  if (++mockLoads === 1) throw new Error('Failed to fetch dynamically imported module: sign.mjs');
  return jest.requireActual('../../lib/client/sign');
});

const fx = useSimulator({ seed: 3, apiKeys: { [KEY]: SECRET } }, { heartbeat: false, reconnect: { initialDelayMs: 10 } });

it('reports a signing code that failed to load, retries, and authenticates on the next attempt', async () => {
  const c = fx.client({ apiKey: KEY, apiSecret: SECRET });
  const errors = collectErrors(c);
  // connect() answers for the attempt it started; reconnecting goes on.
  await expect(c.connect()).rejects.toThrow(/could not sign the authentication/);
  await waitFor(() => fx.sim.connections().some((conn) => conn.authenticated));
  await c.connect();
  expect(mockLoads).toBe(2);
  const lost = errors.filter((e) => e instanceof BitmexConnectionError);
  expect(lost.length).toBeGreaterThan(0);
  expect(lost.map((e) => e.message).join('\n')).toContain('could not sign the authentication: Failed to fetch dynamically imported module');
  expect(errors.map((e) => `${e.message} ${JSON.stringify(e)}`).join('\n')).not.toContain(SECRET);
});

/**
 * The simulator's authentication: authKeyExpires, upgrade headers and the query string.
 * Over real sockets on 127.0.0.1 with a plain `ws` client (spec/support/simulator-sockets).
 */
import { signRequest } from '../../lib/client/sign';
import { KEY, SECRET, expiresIn, authArgs, sim, url, connect, useSimulatorSockets } from '../support/simulator-sockets';

useSimulatorSockets();

describe('authentication', () => {
  it('accepts a valid authKeyExpires and then serves private tables of that account', async () => {
    const c = await connect();
    const req = { op: 'authKeyExpires', args: authArgs() };
    c.send(req);
    expect(await c.json()).toEqual({ success: true, request: req });
    expect(sim.connections()[0]).toMatchObject({ authenticated: true, apiKey: KEY, account: sim.accountOf(KEY) });
    c.send({ op: 'subscribe', args: ['order', 'position:XBTUSD', 'margin', 'wallet'] });
    const frames = await c.jsons(8);
    expect(frames[1]).toMatchObject({ table: 'order', action: 'partial', keys: ['orderID'], filter: { account: sim.accountOf(KEY) } });
    expect(frames[3]).toMatchObject({ table: 'position', keys: ['account', 'symbol'], filter: { account: sim.accountOf(KEY), symbol: 'XBTUSD' } });
    expect(frames[5]).toMatchObject({ table: 'margin', keys: ['account', 'currency'], data: [{ account: sim.accountOf(KEY), currency: 'XBt' }] });
    expect(frames[7]).toMatchObject({ table: 'wallet', data: [{ account: sim.accountOf(KEY), amount: 100000000 }] });
  });

  it('rejects a bad signature, an unknown key, an expired request and a second auth', async () => {
    const c = await connect();
    const [, expires] = authArgs();
    const bad = { op: 'authKeyExpires', args: [KEY, expires, signRequest('wrong', 'GET', '/realtime', expires)] };
    c.send(bad);
    expect(await c.json()).toEqual({ status: 401, error: 'Signature not valid.', meta: {}, request: bad });
    c.send({ op: 'authKeyExpires', args: authArgs('nobody', SECRET) });
    expect(await c.json()).toMatchObject({ status: 401 });
    c.send({ op: 'authKeyExpires', args: authArgs(KEY, SECRET, expiresIn(-10)) });
    expect(await c.json()).toMatchObject({ status: 401, error: expect.stringContaining('expired') });
    expect(sim.connections()[0]?.authenticated).toBe(false);
    c.send({ op: 'authKeyExpires', args: authArgs() });
    expect(await c.json()).toMatchObject({ success: true });
    c.send({ op: 'authKeyExpires', args: authArgs('other', 'other-secret') });
    expect(await c.json()).toMatchObject({ status: 400 });
    expect(sim.connections()[0]?.apiKey).toBe(KEY);
  });

  it('accepts api-key/api-expires/api-signature headers on the upgrade request', async () => {
    const [key, expires, signature] = authArgs('other', 'other-secret');
    const c = await connect({ headers: { 'api-key': key, 'api-expires': String(expires), 'api-signature': signature } });
    await c.sync();
    expect(sim.connections()[0]).toMatchObject({ authenticated: true, apiKey: 'other' });
    c.send({ op: 'subscribe', args: 'order' });
    expect(await c.json()).toMatchObject({ success: true, subscribe: 'order' });
  });

  it('accepts query-string auth, and reports failed header auth after the welcome', async () => {
    const [key, expires, signature] = authArgs();
    const c = await connect({}, `${url}?api-key=${key}&api-expires=${expires}&api-signature=${signature}`);
    await c.sync();
    const bad = await connect({ headers: { 'api-key': KEY, 'api-expires': String(expires), 'api-signature': '00'.repeat(32) } });
    expect(await bad.json()).toEqual({ status: 401, error: 'Signature not valid.', meta: {} });
    expect(sim.connections().map((x) => x.authenticated)).toEqual([true, false]);
    expect(c.texts).toHaveLength(2); // welcome + pong: successful header/query auth sends nothing
  });
});

/**
 * The simulator's cancelAllAfter (dead man's switch).
 * Over real sockets on 127.0.0.1 with a plain `ws` client (spec/support/simulator-sockets).
 */
import { KEY, type Json, authArgs, sim, connect, useSimulatorSockets } from '../support/simulator-sockets';

useSimulatorSockets();

describe('cancelAllAfter', () => {
  it('needs auth; replies now/cancelTime/request; records the switch; 0 disarms', async () => {
    const c = await connect();
    c.send({ op: 'cancelAllAfter', args: 60000 });
    expect(await c.json()).toMatchObject({ status: 401 });
    c.send({ op: 'authKeyExpires', args: authArgs() });
    await c.json();
    const req = { op: 'cancelAllAfter', args: 60000 };
    c.send(req);
    const r = await c.json();
    expect(Object.keys(r)).toEqual(['now', 'cancelTime', 'request']);
    expect(r.request).toEqual(req);
    expect(Date.parse(r.cancelTime as string) - Date.parse(r.now as string)).toBe(60000);
    const armed = sim.deadMansSwitch(KEY);
    expect(armed).toEqual({ timeoutMs: 60000, cancelTime: Date.parse(r.cancelTime as string), armedAt: Date.parse(r.now as string) });
    expect(sim.deadMansSwitch('other')).toBeUndefined();
    c.send({ op: 'cancelAllAfter', args: [0] });
    const off = await c.json();
    expect(off).toMatchObject({ now: expect.any(String), request: { op: 'cancelAllAfter', args: [0] } });
    expect(sim.deadMansSwitch(KEY)).toBeUndefined();
    c.send({ op: 'cancelAllAfter', args: 'soon' });
    expect(await c.json()).toMatchObject({ status: 400 });
    expect(sim.cancelAllAfterLog.map((x) => [x.connId, x.apiKey, x.timeoutMs, x.accepted])).toEqual([
      [1, undefined, 60000, false],
      [1, KEY, 60000, true],
      [1, KEY, 0, true],
      [1, KEY, NaN, false],
    ]);
  });

  it('cancels the open orders of the account when the switch fires', async () => {
    const c = await connect();
    c.send({ op: 'authKeyExpires', args: authArgs() });
    await c.json();
    for (let i = 0; i < 50 && sim.truthRows('order', undefined, KEY).length < 2; i++) sim.step(20);
    const open = sim.truthRows('order', undefined, KEY).map((o) => o.orderID);
    expect(open.length).toBeGreaterThanOrEqual(2);
    c.send({ op: 'subscribe', args: 'order' });
    await c.jsons(2);
    c.send({ op: 'cancelAllAfter', args: 20 });
    await c.json();
    await sim.waitFor(() => sim.deadMansSwitch(KEY) === undefined);
    const frames = await c.sync();
    const canceled = frames.filter((f) => f.table === 'order' && f.action === 'update').flatMap((f) => f.data as Json[]);
    expect(canceled.map((o) => o.orderID).sort()).toEqual([...open].sort());
    for (const o of canceled) expect(o).toMatchObject({ ordStatus: 'Canceled', leavesQty: 0 });
    expect(sim.truthRows('order', undefined, KEY)).toEqual([]);
  });
});

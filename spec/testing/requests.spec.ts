/**
 * The simulator's error frames for requests it refuses, as BitMEX words them.
 * Over real sockets on 127.0.0.1 with a plain `ws` client (spec/support/simulator-sockets).
 */
import { type Json, authArgs, url, platformUrl, connect, useSimulatorSockets } from '../support/simulator-sockets';

useSimulatorSockets();

describe('error frames', () => {
  async function reply(value: unknown, to = url, auth = false): Promise<Json> {
    const c = await connect({}, to);
    if (auth) {
      c.send({ op: 'authKeyExpires', args: authArgs() });
      await c.json();
    }
    c.send(value);
    return c.json();
  }

  it('unknown table', async () => {
    const req = { op: 'subscribe', args: ['instrument_'] };
    expect(await reply(req)).toEqual({ status: 400, error: 'Unknown table: instrument_', meta: {}, request: req });
  });

  it('unknown symbol: 400 naming it, as BitMEX answers; the other topics of the request still subscribe', async () => {
    const c = await connect();
    const req = { op: 'subscribe', args: ['orderBookL2_25:FOOBAR', 'trade:XBTUSD'] };
    c.send(req);
    const [error, ok] = await c.jsons(2);
    expect(error).toEqual({
      status: 400,
      error: 'Unknown or expired symbol: FOOBAR. Please see the documentation at https://www.bitmex.com/app/wsAPI.',
      meta: {},
      request: req,
    });
    expect(ok).toMatchObject({ success: true, subscribe: 'trade:XBTUSD' });
  });

  it('platform topic on /realtime and trading topic on /realtimePlatform', async () => {
    const a = await reply({ op: 'subscribe', args: 'announcement' });
    expect(a).toMatchObject({ status: 400, request: { op: 'subscribe', args: 'announcement' } });
    expect(a.error).toMatch(/^Topic announcement is not available on this endpoint\. /);
    const b = await reply({ op: 'subscribe', args: 'orderBookL2:XBTUSD' }, platformUrl);
    expect(b).toMatchObject({ status: 400 });
    expect(b.error).toMatch(/^Topic orderBookL2 is not available on this endpoint\. /);
    const c = await connect({}, platformUrl);
    c.send({ op: 'subscribe', args: ['announcement', 'chat'] });
    const [, pa, , pc] = await c.jsons(4);
    expect(pa).toMatchObject({ table: 'announcement', action: 'partial', keys: ['id'], data: [] });
    expect(pc).toMatchObject({ table: 'chat', filterKey: 'channelID' });
  });

  it('private table without auth: 401 with meta.notes naming the private tables', async () => {
    const f = await reply({ op: 'subscribe', args: 'order' });
    expect(f).toMatchObject({ status: 401, error: 'User requested an account-locked subscription but no authorization was provided.', request: { op: 'subscribe', args: 'order' } });
    expect((f.meta as Json).notes).toEqual(expect.stringContaining('order'));
    expect((f.meta as Json).notes).toEqual(expect.stringContaining('wallet'));
  });

  it('already subscribed, and unsubscribe of a topic not subscribed', async () => {
    const c = await connect();
    c.send({ op: 'subscribe', args: 'trade:XBTUSD' });
    await c.jsons(2);
    c.send({ op: 'subscribe', args: ['trade:XBTUSD'] });
    expect(await c.json()).toEqual({ status: 400, error: 'You are already subscribed to this topic: trade:XBTUSD', meta: {}, request: { op: 'subscribe', args: ['trade:XBTUSD'] } });
    const req = { op: 'unsubscribe', args: 'trade:ETHUSD' };
    c.send(req);
    expect(await c.json()).toMatchObject({ status: 400, error: expect.stringContaining('trade:ETHUSD'), request: req });
  });

  it('unparseable and unrecognised requests', async () => {
    const bad = await reply('{"op": "subscribe", args');
    expect(bad.status).toBe(400);
    expect(bad.error).toMatch(/^Failed to decode incoming data: /);
    expect('request' in bad).toBe(false);
    const req = { op: 'fly', args: [] };
    expect(await reply(req)).toEqual({ status: 400, error: "Unrecognized request. See the docs or send 'help' for more details.", meta: {}, request: req });
    expect(await reply({ op: 'subscribe', args: [1, 2] })).toMatchObject({ status: 400, error: expect.stringMatching(/^Unrecognized request/) });
  });

  it(':SYMBOL on a table that takes none', async () => {
    const f = await reply({ op: 'subscribe', args: 'wallet:XBTUSD' }, url, true);
    expect(f).toMatchObject({ status: 400, error: expect.stringContaining('wallet'), request: { op: 'subscribe', args: 'wallet:XBTUSD' } });
  });

  it('never crashes on bad input and keeps serving', async () => {
    const c = await connect();
    for (const bad of ['', 'null', '[]', '42', '{"op":null}', '{"op":"subscribe"}', '{"op":"authKeyExpires","args":"x"}', '{"op":"cancelAllAfter","args":{}}']) c.send(bad);
    c.ws.send(Buffer.from([0xff, 0xfe, 0x00]), { binary: true });
    const replies = await c.jsons(9);
    for (const r of replies) expect(r.status).toEqual(expect.any(Number));
    c.send({ op: 'subscribe', args: 'instrument:XBTUSD' });
    expect(await c.json()).toMatchObject({ success: true });
  });
});

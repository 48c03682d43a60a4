/**
 * An endpoint URL whose query subscribes or authenticates: BitMEX accepts `?subscribe=` and
 * handshake credentials, but the client subscribes what is observed and signs each connection
 * itself, so such a URL is refused at construction instead of failing later on the wire.
 */
import { BitmexWebSocket } from '../../lib';
import { settle, waitFor } from '../support/helpers';
import { useSimulator } from '../support/simulator';

/** What constructing a client with `endpoint` throws (undefined when it does not). */
function thrownBy(endpoint: string): unknown {
  try {
    new BitmexWebSocket({ endpoint });
  } catch (e) {
    return e;
  }
  return undefined;
}

const fx = useSimulator({ seed: 3 }, { heartbeat: false });

describe('an endpoint URL with a query', () => {
  it('?subscribe= is refused with a TypeError naming it, before any socket opens', async () => {
    const endpoint = `${fx.url}?subscribe=orderBookL2:XBTUSD`;
    expect(() => new BitmexWebSocket({ endpoint })).toThrow(TypeError);
    expect(() => new BitmexWebSocket({ endpoint })).toThrow(/must not carry subscribe/);
    await settle(50);
    expect(fx.sim.connections()).toHaveLength(0);
  });

  it('handshake credentials are refused without echoing them', () => {
    const error = thrownBy(`${fx.url}?api-key=KEY123&api-expires=9999999999&api-signature=deadbeefcafe`);
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/must not carry api-key/);
    expect(String(error)).not.toMatch(/deadbeefcafe|KEY123/);
  });

  it.each([
    ['a wrong scheme', 'https://127.0.0.1:1/realtime?api-key=KEY123&api-expires=9999999999&api-signature=deadbeefcafe'],
    ['a wrong path', 'wss://127.0.0.1:1/realtime/?api-key=KEY123&api-signature=deadbeefcafe'],
    ['no URL at all', 'wss//127.0.0.1:1/realtime?api-key=KEY123&api-signature=deadbeefcafe'],
    ['user and password', 'ws://KEY123:deadbeefcafe@127.0.0.1:1/realtim'],
  ])('an endpoint refused for %s does not echo its credentials', (_, endpoint) => {
    const error = thrownBy(endpoint);
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/endpoint must/);
    expect(String(error)).not.toMatch(/deadbeefcafe|KEY123/);
  });

  it('a #fragment is refused with a TypeError, before any socket opens (ws refuses every attempt with it)', async () => {
    const error = thrownBy(`${fx.url}#api-signature=deadbeefcafe`);
    expect(error).toBeInstanceOf(TypeError);
    expect(String(error)).toMatch(/endpoint URL must not carry a #fragment/);
    expect(String(error)).not.toMatch(/deadbeefcafe/);
    await settle(50);
    expect(fx.sim.connections()).toHaveLength(0);
  });

  it('other query parameters are kept, and topics are subscribed by observing them', async () => {
    const c = fx.client({ endpoint: `${fx.url}?app=demo` });
    expect(c.url).toBe(`${fx.url}?app=demo`);
    fx.keep(c.table$('instrument', 'XBTUSD').subscribe());
    await waitFor(() => fx.sim.connections()[0]?.subscriptions.includes('instrument:XBTUSD'));
  });
});

/**
 * Every option of `new BitmexWebSocket(options)` is checked in the constructor: a wrong one throws
 * a TypeError naming it, before any socket is made.
 */
import { BitmexWebSocket, type BitmexWebSocketOptions } from '../../lib';
import { socketSpy } from '../support/helpers';

/** No bad option may get as far as a socket. */
const { made, SpySocket } = socketSpy();

afterEach(() => {
  expect(made).toEqual([]);
  made.length = 0;
});

const keys = { apiKey: 'k', apiSecret: 's' } as const;

function rejects(options: unknown, name: string | RegExp): void {
  const make = (): BitmexWebSocket => new BitmexWebSocket(options as BitmexWebSocketOptions);
  expect(make).toThrow(TypeError);
  expect(make).toThrow(name);
}

describe('options are checked at once', () => {
  it('refuses options that are not an object: a string is not taken for mainnet', () => {
    rejects('testnet', 'options must be an object');
    rejects(null, 'options');
    rejects(42, 'options');
    rejects(['testnet'], 'options');
    rejects(() => undefined, 'options');
  });

  it('names an unknown option (a typo would otherwise be ignored)', () => {
    rejects({ reconect: false }, 'reconect is not an option');
    rejects({ reconnect: { initialDelay: 500 } }, 'reconnect.initialDelay is not an option');
    rejects({ heartbeat: { idle: 500 } }, 'heartbeat.idle');
  });

  it.each([
    [{ initialDelayMs: 0 }, 'reconnect.initialDelayMs'],
    [{ initialDelayMs: -1000 }, 'reconnect.initialDelayMs'],
    [{ initialDelayMs: NaN }, 'reconnect.initialDelayMs'],
    [{ initialDelayMs: '1000' }, 'reconnect.initialDelayMs'],
    [{ initialDelayMs: Infinity }, 'reconnect.initialDelayMs'],
    [{ maxDelayMs: -1 }, 'reconnect.maxDelayMs'],
    [{ initialDelayMs: 5000, maxDelayMs: 1000 }, 'reconnect.maxDelayMs'],
    [{ maxDelayMs: 2 ** 31 }, 'reconnect.maxDelayMs'],
    [{ resetAfterMs: 0 }, 'reconnect.resetAfterMs'],
    [{ resetAfterMs: NaN }, 'reconnect.resetAfterMs'],
  ])('reconnect %p throws naming %s', (reconnect, name) => {
    rejects({ reconnect }, name);
  });

  it.each([
    [{ idleMs: NaN }, 'heartbeat.idleMs'],
    [{ idleMs: 0 }, 'heartbeat.idleMs'],
    [{ idleMs: -5 }, 'heartbeat.idleMs'],
    [{ timeoutMs: null }, 'heartbeat.timeoutMs'],
    [{ timeoutMs: 1 }, 'heartbeat.timeoutMs'],
  ])('heartbeat %p throws naming %s', (heartbeat, name) => {
    rejects({ heartbeat }, name);
  });

  it('refuses heartbeat and reconnect that are neither an object nor false', () => {
    rejects({ heartbeat: true }, 'heartbeat');
    rejects({ reconnect: 1000 }, 'reconnect');
  });

  it.each([
    [{ timeoutMs: 6000, intervalMs: 1 }, 'deadMansSwitch.intervalMs'],
    [{ timeoutMs: 6000, intervalMs: 6000 }, 'deadMansSwitch.intervalMs'],
    [{ timeoutMs: 60000, intervalMs: NaN }, 'deadMansSwitch.intervalMs'],
    [{ timeoutMs: 4999 }, 'deadMansSwitch.timeoutMs'],
    [{ intervalMs: 1000 }, 'deadMansSwitch.timeoutMs'],
    [1000, 'deadMansSwitch'],
    [NaN, 'deadMansSwitch'],
    ['60000', 'deadMansSwitch'],
  ])('deadMansSwitch %p throws naming %s', (deadMansSwitch, name) => {
    rejects({ ...keys, deadMansSwitch }, name);
  });

  it('needs keys for a dead man\'s switch', () => {
    rejects({ deadMansSwitch: 60000 }, 'deadMansSwitch needs apiKey');
  });

  it.each([
    [{ instrument: 'symbol' }, 'tableKeys.instrument'],
    [{ trade: null }, 'tableKeys.trade'],
    [{ quote: [1] }, 'tableKeys.quote'],
    [{ quote: [''] }, 'tableKeys.quote'],
    [['symbol'], 'tableKeys'],
    ['symbol', 'tableKeys'],
  ])('tableKeys %p throws naming %s', (tableKeys, name) => {
    rejects({ tableKeys }, name);
  });

  it('refuses a WebSocketCtor that is not a function', () => {
    rejects({ WebSocketCtor: 42 }, 'WebSocketCtor');
    rejects({ WebSocketCtor: {} }, 'WebSocketCtor');
  });

  it('refuses a WebSocketCtor that cannot be constructed (every attempt failed with "Base is not a constructor")', () => {
    rejects({ WebSocketCtor: (url: string) => url }, /WebSocketCtor must be a WebSocket class/);
    rejects({ WebSocketCtor: { make(url: string) { return url; } }.make }, /WebSocketCtor must be a WebSocket class/);
    // A bound class is a constructor: taken.
    expect(() => new BitmexWebSocket({ WebSocketCtor: (SpySocket as unknown as new () => unknown).bind(null) as never })).not.toThrow();
  });

  it('refuses keys that are not non-empty strings, or half of a pair, without echoing the secret', () => {
    rejects({ apiKey: 42, apiSecret: 's' }, 'apiKey');
    rejects({ apiKey: 'k', apiSecret: '' }, 'apiSecret');
    rejects({ apiKey: 'k' }, 'together');
    rejects({ apiSecret: 'top-secret-value' }, 'together');
    rejects({ apiKey: 'k', apiSecret: 31337 }, 'apiSecret');
    for (const apiSecret of ['top-secret-value', 31337]) {
      const message = ((): string => {
        try {
          new BitmexWebSocket({ apiKey: 42, apiSecret } as never);
          return '';
        } catch (e) {
          return String(e);
        }
      })();
      expect(message).toContain('apiKey');
      expect(message).not.toContain(String(apiSecret));
    }
  });

  it('refuses a maxTableLength that is not a positive integer', () => {
    for (const maxTableLength of [0, -1, 1.5, NaN, '200', Infinity]) rejects({ maxTableLength }, 'maxTableLength');
  });

  it('refuses an endpoint that is not a string or not a /realtime URL', () => {
    rejects({ endpoint: 42 }, 'endpoint');
    rejects({ endpoint: 'devnet' }, 'endpoint');
    rejects({ endpoint: 'toString' }, 'endpoint');
    rejects({ endpoint: 'https://www.bitmex.com/realtime' }, 'endpoint');
  });

  it('reads own properties only: a polluted Object.prototype does not choose the endpoint', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.endpoint = 'ws://127.0.0.2:1/realtime';
    try {
      expect(new BitmexWebSocket({ WebSocketCtor: SpySocket as never }).url).toBe('wss://ws.bitmex.com/realtime');
    } finally {
      delete proto.endpoint;
    }
  });

  it('accepts good options, the floors themselves and false, without opening a socket', () => {
    const ok = [
      {},
      { endpoint: 'testnet', heartbeat: false, reconnect: false },
      { reconnect: { initialDelayMs: 10, maxDelayMs: 50, resetAfterMs: 1000 }, heartbeat: { idleMs: 50, timeoutMs: 50 } },
      { ...keys, deadMansSwitch: 5000 },
      { ...keys, deadMansSwitch: { timeoutMs: 60000, intervalMs: 100 } },
      { ...keys, deadMansSwitch: false },
      { tableKeys: { quote: ['symbol'], toString: ['id'] }, maxTableLength: 1 },
      { WebSocketCtor: SpySocket as never },
    ] satisfies BitmexWebSocketOptions[];
    for (const options of ok) expect(() => new BitmexWebSocket(options)).not.toThrow();
    expect(new BitmexWebSocket(undefined).url).toBe('wss://ws.bitmex.com/realtime');
  });
});

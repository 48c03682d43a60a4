/**
 * A book's options are checked at the call, as the constructor's are: a misspelt name, a table
 * that holds no book or a value of the wrong type gave a book silently (depth 25 for `dpeth`, an
 * empty book of `trade`, which it also subscribed).
 */
import { BitmexWebSocket, bookOf$, type BookOptions } from '../../lib';
import { socketSpy } from '../support/helpers';

/** No checked call may get as far as a socket. */
const { made, SpySocket } = socketSpy();

const client = new BitmexWebSocket({ endpoint: 'ws://127.0.0.1:9/realtime', WebSocketCtor: SpySocket as never, reconnect: false });

afterAll(() => client.close());

const BAD: readonly [string, unknown, RegExp][] = [
  ['a misspelt name', { dpeth: 5 }, /dpeth is not a book option/],
  ['a table that holds no book', { table: 'trade' }, /table must be orderBookL2, orderBookL2_25, orderBook10, got "trade"/],
  ['a table that is not a string', { table: 5 }, /table must be .*, got 5/],
  ['options that are not an object', 'orderBookL2_25', /book options must be an object, got "orderBookL2_25"/],
  ['options null', null, /book options must be an object, got null/],
  ['cumulative not a boolean', { cumulative: 'yes' }, /cumulative must be true or false, got "yes"/],
  ['depth a string', { depth: '5' }, /depth must be a positive integer, got "5"/],
];

describe('bad book options throw a TypeError naming them, at the call', () => {
  it.each(BAD)('book$: %s', (_, options, message) => {
    const call = (): unknown => client.book$('XBTUSD', options as BookOptions);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
    expect(made).toEqual([]);
  });

  it.each(BAD)('storage.book: %s', (_, options, message) => {
    const call = (): unknown => client.storage.book('XBTUSD', options as BookOptions);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  });

  it.each(BAD)('bookOf$: %s', (_, options, message) => {
    const call = (): unknown => bookOf$('XBTUSD', options as BookOptions);
    expect(call).toThrow(TypeError);
    expect(call).toThrow(message);
  });

  it('good options are taken, and bookOf$ also takes notional', () => {
    const good: BookOptions[] = [{}, { depth: 1, table: 'orderBook10' }, { group: 1, tickSize: 0.5, cumulative: false }, { cumulative: true }];
    for (const options of good) {
      expect(() => client.book$('XBTUSD', options)).not.toThrow();
      expect(() => client.storage.book('XBTUSD', options)).not.toThrow();
      expect(() => bookOf$('XBTUSD', options)).not.toThrow();
    }
    expect(() => bookOf$('XBTUSD', { cumulative: true, notional: (p, s) => p * s })).not.toThrow();
    expect(() => client.book$('XBTUSD', { notional: (p: number) => p } as BookOptions)).toThrow(/notional is not a book option/);
    expect(made).toEqual([]);
  });
});

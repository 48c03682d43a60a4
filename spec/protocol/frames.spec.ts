/**
 * parseFrame checks shapes where they will be read: own properties only, table a string, keys
 * an array of strings, filter an object, data an array of row objects. Anything else is a
 * FrameParseError (returned, never thrown).
 */
import { FrameParseError, parseFrame } from '../../lib';

const bad = (text: string): FrameParseError => {
  const f = parseFrame(text);
  expect(f).toBeInstanceOf(FrameParseError);
  return f as FrameParseError;
};

describe('parseFrame', () => {
  it('accepts the real shapes', () => {
    expect(parseFrame('{"table":"orderBookL2","action":"partial","keys":["symbol","id","side"],"types":{"id":"long"},"filter":{"symbol":"XBTUSD"},"data":[]}')).toMatchObject({ kind: 'table', action: 'partial' });
    expect(parseFrame('{"table":"trade","action":"insert","data":[{"symbol":"XBTUSD"}]}')).toMatchObject({ kind: 'table' });
    expect(parseFrame('{"table":"chat","action":"partial","keys":["id"],"filterKey":"channelID","filter":{},"data":[]}')).toMatchObject({ kind: 'table' });
    expect(parseFrame('{"info":"Welcome","timestamp":"2024-11-13T10:34:26.741Z","limit":{"remaining":719}}')).toMatchObject({ kind: 'welcome', limit: { remaining: 719 } });
    expect(parseFrame('{"status":429,"error":"Rate limit","meta":{"retryAfter":1},"request":{"op":"subscribe","args":["trade"]}}')).toMatchObject({ kind: 'error', meta: { retryAfter: 1 } });
    expect(parseFrame('pong')).toEqual({ kind: 'pong' });
  });

  it.each([
    ['keys null', '{"table":"instrument","action":"partial","keys":null,"data":[]}', 'keys'],
    ['keys a string', '{"table":"instrument","action":"partial","keys":"symbol","data":[]}', 'keys'],
    ['keys of numbers', '{"table":"instrument","action":"partial","keys":[1],"data":[]}', 'keys'],
    ['filter null', '{"table":"instrument","action":"partial","filter":null,"data":[]}', 'filter'],
    ['filter an array', '{"table":"instrument","action":"partial","filter":["XBTUSD"],"data":[]}', 'filter'],
    ['data missing', '{"table":"instrument","action":"insert"}', 'data'],
    ['data an object', '{"table":"instrument","action":"insert","data":{}}', 'data'],
    ['a row null', '{"table":"instrument","action":"update","data":[{"symbol":"XBTUSD"},null]}', 'row 1'],
    ['a row an array', '{"table":"instrument","action":"delete","data":[["XBTUSD"]]}', 'row 0'],
    ['table a number', '{"table":7,"action":"insert","data":[]}', 'table'],
    ['table empty', '{"table":"","action":"insert","data":[]}', 'table'],
    ['action unknown', '{"table":"trade","action":"upsert","data":[]}', 'action'],
    ['not an object', '"hello"', 'not a JSON object'],
    ['invalid JSON', '{"table":', 'invalid JSON'],
    ['nothing known', '{"foo":1}', 'unrecognised'],
  ])('%s is a FrameParseError', (_name, text, why) => {
    expect(bad(text).message).toContain(why);
  });

  it('reads own properties only: a polluted Object.prototype adds no field', () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.table = 'orderBookL2';
    proto.action = 'update';
    proto.data = [];
    try {
      expect(parseFrame('{"foo":1}')).toBeInstanceOf(FrameParseError);
      expect(parseFrame('{"__proto__":{"table":"x","action":"insert","data":[]}}')).toBeInstanceOf(FrameParseError);
    } finally {
      delete proto.table;
      delete proto.action;
      delete proto.data;
    }
  });

  it('keeps a usable frame but drops optional fields of the wrong shape', () => {
    const f = parseFrame('{"table":"trade","action":"partial","keys":[],"types":7,"attributes":{"a":1},"filterKey":3,"data":[]}');
    expect(f).toMatchObject({ kind: 'table' });
    expect(f).not.toHaveProperty('types');
    expect(f).not.toHaveProperty('attributes');
    expect(f).not.toHaveProperty('filterKey');
    const e = parseFrame('{"status":400,"error":"x","meta":"y","request":null}');
    expect(e).toEqual({ kind: 'error', status: 400, error: 'x' });
    const w = parseFrame('{"info":"Welcome","limit":{"remaining":"many"},"timestamp":5}');
    expect(w).toEqual({ kind: 'welcome', info: 'Welcome' });
    expect(parseFrame('{"success":true,"request":"authKeyExpires"}')).toBeInstanceOf(FrameParseError);
  });

  it('cuts raw to 200 characters and never throws on huge or deep input', () => {
    const deep = `${'['.repeat(100000)}${']'.repeat(100000)}`;
    expect(() => parseFrame(deep)).not.toThrow();
    expect(bad(`{"x":"${'a'.repeat(1000)}"}`).raw.length).toBeLessThanOrEqual(201);
  });
});

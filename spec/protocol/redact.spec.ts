/**
 * The request signature never reaches an error, however the server echoes it.
 */
import { BitmexApiError, BitmexConnectionError, FrameParseError, parseFrame, signRequest } from '../../lib';

const SIG = signRequest('secret', 'GET', '/realtime', 1_700_000_060);
const KEY = 'KeyKeyKey';

function text(e: unknown): string {
  const fields = e instanceof Error ? { ...e, message: e.message } : e;
  return JSON.stringify(fields);
}

describe('redaction of server text', () => {
  it('hides an echoed auth request in request and in meta, whatever the spelling of the op', () => {
    for (const op of ['authKeyExpires', 'AuthKeyExpires', 'AUTHKEYEXPIRES', 'authKey']) {
      const req = { op, args: [KEY, 1_700_000_060, SIG] };
      const e = new BitmexApiError(401, 'Signature not valid.', { request: req, nested: [{ echo: req }] }, req);
      expect(text(e)).not.toContain(SIG);
      expect(text(e)).not.toContain(KEY);
    }
  });

  it('hides a signature anywhere in server text: message, meta strings, upper case, other ops', () => {
    const e = new BitmexApiError(400, `bad request ${SIG}`, { note: `sig=${SIG.toUpperCase()}` }, { op: 'subscribe', args: [`trade:${SIG}`] });
    expect(text(e).toLowerCase()).not.toContain(SIG);
    expect(e.request?.op).toBe('subscribe');
  });

  it('hides it in a malformed frame\'s raw text and message, even across the 200-character cut', () => {
    for (const pad of [0, 150, 170, 199]) {
      const raw = `${' '.repeat(pad)}{"status":401,"request":{"op":"authKeyExpires","args":["${KEY}",1,"${SIG}"]},`;
      const e = parseFrame(raw) as FrameParseError;
      expect(e).toBeInstanceOf(FrameParseError);
      expect(text(e)).not.toMatch(/[0-9a-f]{16}/);
    }
    const direct = new FrameParseError(`unknown action ${SIG}`, SIG);
    expect(text(direct)).not.toContain(SIG);
  });

  it('hides it in a close reason', () => {
    const e = new BitmexConnectionError(4001, `bad auth ${SIG}`);
    expect(text(e)).not.toContain(SIG);
  });

  it('survives hostile meta: deep nesting, __proto__ fields, huge strings', () => {
    let deep: unknown = SIG;
    for (let i = 0; i < 10000; i++) deep = { a: deep };
    const meta = JSON.parse(`{"__proto__":{"polluted":"${SIG}"},"big":"${'x'.repeat(100000)}"}`) as Record<string, unknown>;
    const e = new BitmexApiError(400, 'x', { deep, meta });
    expect(text(e)).not.toContain(SIG);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('keeps ordinary server text as it was', () => {
    const e = new BitmexApiError(429, 'Rate limit exceeded, retry in 1 seconds.', { retryAfter: 1 }, { op: 'subscribe', args: ['orderBookL2:XBTUSD'] });
    expect(e.message).toBe('Rate limit exceeded, retry in 1 seconds.');
    expect(e.meta).toEqual({ retryAfter: 1 });
    expect(e.request).toEqual({ op: 'subscribe', args: ['orderBookL2:XBTUSD'] });
  });
});

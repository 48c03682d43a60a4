/**
 * BitMEX timestamps: the canonical form is read without `Date.parse` (see
 * lib/protocol/timestamp.ts); whatever the form, the result must be the one the general path gives.
 */
import fc from 'fast-check';
import { parseTimestamp } from '../../lib';

/** What `parseTimestamp` gave before it had a fast path: UTC unless a zone is given. */
function general(s: string): number {
  const hasZone = /(?:Z|[+-]\d\d:?\d\d)$/i.test(s);
  return Date.parse(hasZone || !s.includes('T') ? s : `${s}Z`);
}

const pad = (n: number, w: number): string => String(n).padStart(w, '0');

describe('parseTimestamp', () => {
  it('reads canonical stamps, edge values included, as Date.parse does', () => {
    const fields = fc.tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 25 }),
      fc.integer({ min: 0, max: 61 }),
      fc.integer({ min: 0, max: 61 }),
      fc.integer({ min: 0, max: 999 }),
    );
    fc.assert(
      fc.property(fields, ([y, mo, d, h, mi, s, ms]) => {
        const text = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`;
        expect(Object.is(parseTimestamp(text).getTime(), general(text))).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('reads near-canonical and malformed stamps as Date.parse does', () => {
    const base = '2024-11-13T10:34:26.741Z';
    const variants = [
      base,
      '2024-02-29T23:59:59.999Z',
      '2024-02-30T00:00:00.000Z',
      '2024-01-31T24:00:00.000Z',
      '0099-01-01T00:00:00.000Z',
      '0100-01-01T00:00:00.000Z',
      '2024-11-13T10:34:26.74Z',
      '2024-11-13T10:34:26.7410Z',
      '2024-11-13T10:34:26.741+01:00',
      '2024-11-13T10:34:26.741',
      '2024-11-13 10:34:26.741Z',
      '2024-1a-13T10:34:26.741Z',
      '2024-11-13T10:34:26.7a1Z',
      '+02024-11-13T10:34:26.741Z',
      '2024-11-13',
    ];
    for (const v of variants) expect([v, parseTimestamp(v).getTime()]).toEqual([v, general(v)]);
    // Every single-character change of a canonical stamp.
    fc.assert(
      fc.property(fc.nat(23), fc.integer({ min: 32, max: 126 }), (at, code) => {
        const c = String.fromCharCode(code);
        const text = base.slice(0, at) + c + base.slice(at + 1);
        expect(Object.is(parseTimestamp(text).getTime(), general(text))).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('parses BitMEX timestamps as UTC', () => {
    expect(parseTimestamp('2020-10-12T16:46:20.255Z').getTime()).toBe(Date.UTC(2020, 9, 12, 16, 46, 20, 255));
    expect(parseTimestamp('2020-10-12T16:46:20.255').getTime()).toBe(Date.UTC(2020, 9, 12, 16, 46, 20, 255));
    expect(Number.isNaN(parseTimestamp('not a date').getTime())).toBe(true);
  });
});

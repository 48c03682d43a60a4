/**
 * ClockEstimator's rule for stamps ahead of the others, exactly, on a virtual clock (read through
 * a client in spec/client/clock-future-rows.spec.ts). Stamps are given as bounds: server time at
 * local time 0.
 */
import { ClockEstimator } from '../../lib';

const FUTURE = Date.parse('2099-01-01T00:00:00.000Z');

/** An estimator fed bounds (server stamp − local time read) in order; the offset after each. */
function offsets(...bounds: number[]): (number | undefined)[] {
  const c = new ClockEstimator(() => 0);
  return bounds.map((b, i) => c.serverTime(b + i * 250, i * 250)?.offsetMs);
}

describe('ClockEstimator: stamps ahead of the others', () => {
  it('one or two stamps far ahead never count, after a welcome or among agreeing stamps', () => {
    expect(offsets(0, FUTURE, 5)).toEqual([0, 0, 5]);
    expect(offsets(0, FUTURE, FUTURE, 5)).toEqual([0, 0, 0, 5]);
    expect(offsets(0, 1, 2, 3, 4, FUTURE, FUTURE, 6)).toEqual([0, 1, 2, 3, 4, 4, 4, 6]);
  });

  it('stamps ahead fewer than the others never count, however many over the window', () => {
    const bounds = [0];
    for (let i = 0; i < 40; i++) bounds.push(i % 2 === 0 ? FUTURE : 10);
    expect(new Set(offsets(...bounds))).toEqual(new Set([0, 10]));
  });

  it('up to a second ahead counts (a stamp read on time after ones read late)', () => {
    expect(offsets(0, 0, 0, 0, 0, 1_000, 1_001)).toEqual([0, 0, 0, 0, 0, 1_000, 1_000]);
  });

  it('three stamps ahead in a row are a server clock stepped forward: followed', () => {
    const STEP = 3 * 60_000;
    expect(offsets(0, 1, 2, 3, 4, STEP, STEP + 1, STEP + 2, STEP + 3)).toEqual([0, 1, 2, 3, 4, 4, 4, STEP + 2, STEP + 3]);
  });

  it('a first stamp is all there is: it counts until others disagree', () => {
    expect(offsets(FUTURE, 0, 1)).toEqual([FUTURE, 0, 1]);
  });
});

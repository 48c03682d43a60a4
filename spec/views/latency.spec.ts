import { Subject, VirtualAction, VirtualTimeScheduler } from 'rxjs';
import { ClockEstimator, measureLatency, type LatencyReport, type TableFrame } from '../../lib';

const BASE = Date.parse('2026-01-01T00:00:00.000Z');
const iso = (ms: number): string => new Date(ms).toISOString();

describe('measureLatency', () => {
  it('reports median and maximum of receive time minus the newest row timestamp, corrected by the offset, per window and table', () => {
    const sched = new VirtualTimeScheduler(VirtualAction, 10_000); // bufferTime reschedules forever: stop at 10 s
    const now = (): number => BASE + sched.now();
    const frames = new Subject<TableFrame>();
    const out: LatencyReport[] = [];
    // The server's clock runs 5 s ahead: its stamps are 5 s later than local time.
    frames.pipe(measureLatency({ offsetMs: () => 5000, now, scheduler: sched })).subscribe((r) => out.push(r));
    const at = (ms: number, f: () => void): void => void sched.schedule(f, ms);
    const server = (localMs: number): number => localMs + 5000;
    // Three book frames sent 10, 30 and 20 ms before they arrive (rows of one frame: the newest counts).
    at(100, () => frames.next({ table: 'orderBookL2', action: 'update', data: [{ timestamp: iso(server(BASE + 50)) }, { timestamp: iso(server(BASE + 90)) }] }));
    at(200, () => frames.next({ table: 'orderBookL2', action: 'insert', data: [{ timestamp: iso(server(BASE + 170)) }] }));
    at(300, () => frames.next({ table: 'trade', action: 'insert', data: [{ timestamp: iso(server(BASE + 280)) }] }));
    // Not measured: a partial (old rows), funding (its time is the funding time), rows without timestamps.
    at(400, () => frames.next({ table: 'orderBookL2', action: 'partial', data: [{ timestamp: iso(BASE - 99999) }] }));
    at(450, () => frames.next({ table: 'funding', action: 'insert', data: [{ timestamp: iso(BASE + 8 * 3600_000) }] }));
    at(500, () => frames.next({ table: 'orderBookL2', action: 'update', data: [{ size: 1 }] }));
    // Nothing in the second window; one frame in the third.
    at(2500, () => frames.next({ table: 'trade', action: 'insert', data: [{ timestamp: iso(server(BASE + 2400)) }] }));
    at(3100, () => frames.complete());
    sched.flush();
    expect(out.map((r) => [r.medianMs, r.maxMs, r.samples])).toEqual([[20, 30, 3], [100, 100, 1]]);
    expect(out[0]?.tables).toEqual({ orderBookL2: { medianMs: 20, maxMs: 30, samples: 2 }, trade: { medianMs: 20, maxMs: 20, samples: 1 } });
    expect(out[0]?.at).toBe(BASE + 1000);
  });

  it('rejects a bad window length', () => {
    expect(() => measureLatency({ intervalMs: 0 })).toThrow(TypeError);
  });
});

describe('ClockEstimator', () => {
  it('reads the offset from a server stamp, corrected by half the shortest recent round trip', () => {
    const c = new ClockEstimator(() => 0);
    expect(c.estimate).toBeUndefined();
    // Server says 10,000 when local is 1,000 (stamped 40 ms earlier, in flight).
    c.serverTime(10_000, 1_000);
    expect(c.estimate?.offsetMs).toBe(9_000);
    expect(c.estimate?.uncertaintyMs).toBe(Infinity);
    c.pingSent(2_000);
    c.pingSent(2_010); // a second unanswered ping: the first counts
    c.pong(2_100);
    c.pingSent(3_000);
    c.pong(3_080);
    expect(c.estimate).toMatchObject({ offsetMs: 9_040, roundTripMs: 80, uncertaintyMs: 40 });
    // A pong without a ping is ignored.
    c.pong(4_000);
    expect(c.estimate?.roundTripMs).toBe(80);
  });

  it('takes the largest recent stamp bound: a stamp read late (a busy event loop) does not skew it', () => {
    const c = new ClockEstimator(() => 0);
    c.serverTime(10_000, 1_300); // read 300 ms after it arrived
    expect(c.estimate?.offsetMs).toBe(8_700);
    c.serverTime(11_000, 2_000); // a row stamp read on time
    c.serverTime(11_500, 2_600); // and one read late again
    expect(c.estimate?.offsetMs).toBe(9_000);
    // Old bounds leave the window, so a server clock that steps back is followed.
    for (let i = 0; i < 40; i++) c.serverTime(3_000 + i, 3_000 + i);
    expect(c.estimate?.offsetMs).toBe(0);
  });

  it('prefers a reply stamp with a shorter round trip', () => {
    const c = new ClockEstimator(() => 0);
    c.serverTime(10_000, 1_000);
    c.pingSent(0);
    c.pong(100);
    c.reply(20_010, 10_000, 10_020); // cancelAllAfter's `now`, answered in 20 ms
    expect(c.estimate).toMatchObject({ offsetMs: 10_000, uncertaintyMs: 10 });
  });
});

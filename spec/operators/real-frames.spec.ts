/**
 * Real recorded BitMEX sessions (../shared/real-frames, read in place, never copied into the
 * project) replayed through the public operators: after every frame, the top of every book it
 * touched equals an independent model (a plain map of levels, sorted when read), and nothing is
 * reported as inconsistent, unusable or skipped. Runs only where ../shared exists; elsewhere the
 * tests are skipped and the run's last lines say so.
 */
import { from, lastValueFrom, tap } from 'rxjs';
import { bookOf, parseFrame, reduceFrames, type TableFrame } from '../../lib';
import { DEPTH, itReal as itRealIn, Model, recordedLines, SESSIONS, shown } from '../support/real-frames';

const itReal = itRealIn(__filename);

describe('real sessions through reduceFrames and bookOf', () => {
  itReal.each(SESSIONS)('%s: every touched book equals the model after every frame; nothing reported', async (file) => {
    const frames: TableFrame[] = [];
    for (const line of recordedLines(file)) {
      const f = parseFrame(line);
      if (!(f instanceof Error) && f.kind === 'table') frames.push(f);
    }
    const model = new Model();
    let checks = 0;
    const problems: string[] = [];
    let i = 0;
    await lastValueFrom(
      from(frames).pipe(
        reduceFrames(),
        tap((state) => {
          const f = frames[i++] as TableFrame;
          for (const inc of state.inconsistencies) problems.push(`frame ${i}: inconsistent ${inc.table} ${inc.action}`);
          for (const u of state.unusable) problems.push(`frame ${i}: unusable ${u.reason}`);
          for (const s of state.skipped) problems.push(`frame ${i}: skipped ${s.rows.length} ${s.table} rows`);
          for (const symbol of model.apply(f)) {
            checks++;
            const got = shown(bookOf(state, symbol, { table: f.table as 'orderBookL2', depth: DEPTH }));
            const want = model.top(f.table, symbol);
            if (got !== want) problems.push(`frame ${i} ${f.table} ${symbol}: ${got} vs ${want}`);
          }
        }),
      ),
    );
    expect(problems.slice(0, 5)).toEqual([]);
    expect(checks).toBeGreaterThan(20);
  });
});

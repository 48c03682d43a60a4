/**
 * Tests that cannot run on this machine (a missing browser, say) are skipped, never counted as
 * passing, and say so where a reader looks: spec/support/skipped-reporter.js prints every skipped
 * test with the reason and the fix given here as the last lines of the run.
 */
import { appendFileSync } from 'node:fs';

/** Why some tests cannot run here, and the command that makes them run. */
export interface SkipReason {
  readonly why: string;
  readonly fix: string;
}

/** The environment variable through which the reporter tells the test files where to note skips. */
export const SKIP_NOTES_ENV = 'BITMEX_RXJS_SKIP_NOTES';

/**
 * `it` when `available`, else `it.skip`, with `reason` noted for the closing report of the run.
 * @param testFile the calling spec's `__filename`, to match its skipped tests with the reason.
 */
export function itWhen(available: boolean, testFile: string, reason: SkipReason): jest.It {
  if (available) return it;
  const notes = process.env[SKIP_NOTES_ENV];
  const note = { testFile, ...reason };
  if (notes) appendFileSync(notes, `${JSON.stringify(note)}\n`);
  else console.warn(`${testFile}: tests skipped: ${reason.why}; to run them: ${reason.fix}`);
  return it.skip;
}

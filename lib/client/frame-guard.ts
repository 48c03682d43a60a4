/**
 * The last-resort guard at the frame boundary. Frames are checked when parsed and the reducer
 * does not throw on frame content, but a throw escaping a socket callback or the reducer's `scan`
 * would be reported by rxjs as unhandled and end a Node process (and stop the pipeline for good).
 * So each session event is routed, and each frame reduced, inside these guards: a throw becomes
 * a {@link FrameParseError} on `errors$` (never silent) and the frame is skipped.
 * @module
 */
import { FrameParseError } from '../protocol/frames';

/** The report of a row or frame of `table` left out, for `reason`. */
export function skippedError(table: string | undefined, reason: string, value: unknown): FrameParseError {
  return new FrameParseError(`${table ?? 'frame'}: ${reason}; skipped`, textOf(value));
}

/** A short text of what failed, for `FrameParseError.raw` (redacted and cut there). */
export function textOf(input: unknown): string {
  if (typeof input === 'string') return input;
  try {
    const text = JSON.stringify(input, (key, v: unknown) => (key === 'kind' ? undefined : v));
    return typeof text === 'string' ? text.slice(0, 1000) : String(input);
  } catch {
    // Too deep or cyclic to print: say what it was.
    const o = input as { table?: unknown; action?: unknown } | null;
    return typeof o === 'object' && o !== null ? `{"table":${JSON.stringify(String(o.table))},"action":${JSON.stringify(String(o.action))},…}` : String(input);
  }
}

function failure(input: unknown, e: unknown): FrameParseError {
  const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return new FrameParseError(`frame could not be applied and was skipped (${why.slice(0, 200)})`, textOf(input));
}

/** Runs `handle(input)`; if it throws, reports a FrameParseError (signature-redacted) instead. */
export function guardFrame<T>(input: T, handle: (input: T) => void, report: (error: FrameParseError) => void): void {
  try {
    handle(input);
  } catch (e) {
    try {
      report(failure(input, e));
    } catch {
      // Reporting itself failed: nothing more can be done without risking the process.
    }
  }
}

/**
 * Wraps a reducer for `scan`: if `reduce` throws, the state it was given may be half-updated, so
 * `recover` reports the error and returns the state to go on from (fresh, empty tables).
 */
export function guardReduce<S, I>(reduce: (state: S, input: I) => S, recover: (error: FrameParseError) => S): (state: S, input: I) => S {
  return (state, input) => {
    try {
      return reduce(state, input);
    } catch (e) {
      return recover(failure(input, e));
    }
  };
}

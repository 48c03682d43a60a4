/**
 * CPU time of the main thread alone (Linux's schedstat), beside `process.cpuUsage`, which counts
 * every thread: the difference is the JIT's and the collector's helper threads.
 * @module
 */
import { readFileSync } from 'node:fs';

/** CPU ns of the main thread so far, or NaN where it cannot be read (not Linux). */
export function mainThreadNs(): number {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]);
  } catch {
    return NaN;
  }
}

/** Small async helpers for socket tests: wait on conditions instead of sleeping. */
import { firstValueFrom, filter, timeout, type Observable } from 'rxjs';

/** Resolves when `check()` returns a truthy value (polled every 5 ms); rejects after `ms`. */
export async function waitFor<T>(check: () => T, ms = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The first value of `source` matching `predicate`, within `ms`. */
export function firstMatching<T>(source: Observable<T>, predicate: (v: T) => boolean = () => true, ms = 5000): Promise<T> {
  return firstValueFrom(source.pipe(filter(predicate), timeout(ms)));
}

/** Lets pending socket traffic and microtasks run. */
export function settle(ms = 50): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * The one timer of the topic registry's subscribe retries: set to the earliest retry asked for,
 * so refusals of many topics wake the registry once, when the first of them is due.
 * @module
 */
import type { Timer, Timers } from './timers';

/** Sets a timer to call `fire` in `delay` ms (at `at`, a Date.now() time), unless it is already set to fire sooner. */
export type RetryTimer = (at: number, delay: number) => void;

/** A {@link RetryTimer} on `timers`. */
export function retryTimer(timers: Timers, fire: () => void): RetryTimer {
  let timer: Timer | undefined;
  let timerAt = Infinity;
  return (at, delay) => {
    if (at >= timerAt) return;
    timers.cancel(timer);
    timerAt = at;
    timer = timers.after(delay, () => {
      timer = undefined;
      timerAt = Infinity;
      fire();
    });
  };
}

/**
 * The timers of one owner (the topic registry's retries, resyncs and answer watches), so that
 * closing it stops every one of them: none may fire into a closed client or hold a process open.
 * @module
 */
export type Timer = ReturnType<typeof setTimeout>;

/** Timers that all end with {@link Timers.clear}. */
export class Timers {
  private readonly live = new Set<Timer>();

  /** Runs `fn` once after `ms`, unless cancelled or cleared first. */
  after(ms: number, fn: () => void): Timer {
    const timer = setTimeout(() => {
      this.live.delete(timer);
      fn();
    }, ms);
    this.live.add(timer);
    return timer;
  }

  /** Stops one timer (undefined, or one that already fired: nothing to do). */
  cancel(timer: Timer | undefined): void {
    if (timer === undefined) return;
    clearTimeout(timer);
    this.live.delete(timer);
  }

  /** Stops them all. */
  clear(): void {
    for (const timer of this.live) clearTimeout(timer);
    this.live.clear();
  }
}

/**
 * The timers of one owner (the topic registry's retries, resyncs and answer watches), so that
 * closing it stops every one of them: none may fire into a closed client or hold a process open.
 * @module
 */
export type Timer = ReturnType<typeof setTimeout>;

/** Timers that all end with {@link Timers.clear}. */
export class Timers {
  private readonly live = new Set<Timer>();
  private cleared = false;

  /**
   * Runs `fn` once after `ms`, unless cancelled or cleared first. Once cleared it starts none
   * (undefined): answers still arrive while the sockets close, and a 429's retry could last an hour.
   */
  after(ms: number, fn: () => void): Timer | undefined {
    if (this.cleared) return undefined;
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

  /** Stops them all, and any later {@link Timers.after}. */
  clear(): void {
    this.cleared = true;
    for (const timer of this.live) clearTimeout(timer);
    this.live.clear();
  }
}

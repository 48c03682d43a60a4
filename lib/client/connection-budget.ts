/**
 * BitMEX budgets connections per hour and says in each welcome how many are left
 * (`limit.remaining`); over it, handshakes are refused and repeat offenders get banned. A backoff
 * that resets after each short-lived connection can spend ~360 an hour on a flapping network, so
 * once the budget runs low every reconnect waits at least its share of the hour: the remaining
 * connections then last at least until the budget refills. "Low" is also relative to this
 * client's own use: with a budget of 40 (BitMEX's until 2021, the real recordings' welcomes say 36
 * to 39 left) the first drop waited 92 s; while the client made fewer connections this hour than
 * are left, it can spend as many again before the spreading starts, and never runs out.
 * @module
 */

/** Below this many remaining connections, reconnects may be spread over the hour. */
export const BUDGET_RESERVE = 100;

const HOUR_MS = 3_600_000;

/**
 * The least delay before the next connection, given the last welcome's `limit.remaining` and how
 * many connections this client made in the last hour.
 */
export function budgetDelayMs(remaining: number | undefined, usedThisHour: number): number {
  if (remaining === undefined || !Number.isFinite(remaining) || remaining >= BUDGET_RESERVE || usedThisHour < remaining) return 0;
  return HOUR_MS / Math.max(1, Math.floor(remaining));
}

/** Times (epoch ms) of this client's connections, the last hour's. */
export function usedWithinHour(times: number[], now: number): number[] {
  return times.filter((t) => now - t < HOUR_MS);
}

/**
 * BitMEX budgets connections per hour and says in each welcome how many are left
 * (`limit.remaining`); over it, handshakes are refused and repeat offenders get banned. A backoff
 * that resets after each short-lived connection can spend ~360 an hour on a flapping network, so
 * once the budget runs low every reconnect waits at least its share of the hour: the remaining
 * connections then last at least until the budget refills. "Low" is also relative to this
 * client's own use: a small budget (BitMEX's was 40 an hour) is no reason to slow the first
 * reconnects. While the client made fewer connections this hour than are left, only the backoff
 * applies: it spends at most half of what was left before the spreading starts.
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

/** The `times` (epoch ms) that fall within the hour before `now`. */
export function withinHour(times: number[], now: number): number[] {
  return times.filter((t) => now - t < HOUR_MS);
}

/**
 * BitMEX budgets connections per hour and says in each welcome how many are left
 * (`limit.remaining`); over it, handshakes are refused and repeat offenders get banned. A backoff
 * that resets after each short-lived connection can spend ~360 an hour on a flapping network, so
 * once the budget runs low every reconnect waits at least its share of the hour: the remaining
 * connections then last at least until the budget refills.
 * @module
 */

/** Below this many remaining connections, reconnects are spread over the hour. */
export const BUDGET_RESERVE = 100;

const HOUR_MS = 3_600_000;

/** The least delay before the next connection, given the last welcome's `limit.remaining`. */
export function budgetDelayMs(remaining: number | undefined): number {
  if (remaining === undefined || !Number.isFinite(remaining) || remaining >= BUDGET_RESERVE) return 0;
  return HOUR_MS / Math.max(1, Math.floor(remaining));
}

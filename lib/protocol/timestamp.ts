/**
 * BitMEX timestamps: ISO-8601 UTC with milliseconds (`2020-10-12T16:46:20.255Z`).
 * @module
 */

/**
 * Parses a BitMEX timestamp. A string without a zone designator is read as UTC (the API only
 * speaks UTC, while `Date` would read such a string as local time). Unparseable input gives an
 * invalid `Date` (check with `isNaN(d.getTime())`) rather than throwing.
 */
export function parseTimestamp(s: string): Date {
  return new Date(timestampMs(s));
}

/** Milliseconds since the epoch of a BitMEX timestamp, NaN when unparseable. */
export function timestampMs(s: string): number {
  if (typeof s !== 'string') return NaN;
  const hasZone = /(?:Z|[+-]\d\d:?\d\d)$/i.test(s);
  // A date alone (`2020-10-12`) is UTC already; a date-time without zone would be local.
  return Date.parse(hasZone || !s.includes('T') ? s : `${s}Z`);
}

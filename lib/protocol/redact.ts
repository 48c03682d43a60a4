/**
 * The one redaction of server text. A request signature is valid until its `expires`, so it must
 * not reach `errors$` (and from there logs) however a server echoes it: in an error's `request`
 * or `meta`, under another spelling of the op (`AuthKeyExpires`), or inside a frame that could
 * not be parsed. Every error built from server text passes it through {@link redact}.
 * @module
 */

/** What a redacted value becomes. */
export const REDACTED = '<redacted>';

// A signature is 64 hex digits; any hex run that long (either case) is hidden, wherever it is.
const HEX_RUN = /[0-9a-f]{64,}/gi;
// Fields that carry credentials whatever the op.
const SECRET_FIELD = /signature|secret|^api-?key$|^key$/i;
// Ops that carry credentials in their args: authKeyExpires, authKey, any case.
const AUTH_OP = /^auth/i;
const MAX_DEPTH = 32;

/**
 * A copy of `value` with credentials hidden: hex runs of signature length in any string, the args
 * of any `auth*` request, fields named like a signature, secret or key. Handles strings, arrays
 * and objects (own enumerable fields), to a bounded depth; never throws.
 */
export function redact<T>(value: T): T {
  return walk(value, 0) as T;
}

function walk(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return value.length >= 64 ? value.replace(HEX_RUN, REDACTED) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
  const out: Record<string, unknown> = {};
  const o = value as Record<string, unknown>;
  const authOp = typeof o.op === 'string' && AUTH_OP.test(o.op);
  for (const key of Object.keys(o)) {
    const v = o[key];
    const hidden = (authOp && key === 'args') || SECRET_FIELD.test(key);
    // defineProperty: a field named __proto__ stays a plain field of the copy.
    Object.defineProperty(out, key, { value: hidden ? [REDACTED] : walk(v, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

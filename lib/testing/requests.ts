/**
 * What the server does with a text frame a client sent: `ping`, then the JSON requests
 * (subscribe, unsubscribe, authKeyExpires, cancelAllAfter), answering anything else as the real
 * server does.
 * @module
 */
import type { Request } from '../protocol/frames';
import { checkAuth } from './auth';
import type { Conn, SimulatorCore } from './core';
import { cancelAllAfter } from './dead-mans-switch';
import { ERRORS, errorFrame } from './protocol';
import { subscribe, unsubscribe } from './subscriptions';

/** Dispatches one text frame of a client. */
export function handle(core: SimulatorCore, conn: Conn, text: string): void {
  if (text === 'ping') {
    core.write(conn, 'pong');
    return;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    core.write(conn, errorFrame(400, ERRORS.decode((e as Error).message)));
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as Request).op !== 'string') {
    const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
    core.write(conn, errorFrame(400, ERRORS.unrecognized, isObject ? value : undefined));
    return;
  }
  const request = value as Request;
  switch (request.op) {
    case 'subscribe':
    case 'unsubscribe': {
      const topics = typeof request.args === 'string' ? [request.args] : request.args;
      if (!Array.isArray(topics) || !topics.every((t): t is string => typeof t === 'string')) {
        core.write(conn, errorFrame(400, ERRORS.unrecognized, request));
        return;
      }
      if (request.op === 'subscribe') subscribe(core, conn, request, topics);
      else unsubscribe(core, conn, request, topics);
      return;
    }
    case 'authKeyExpires': {
      const args = request.args;
      if (!Array.isArray(args) || args.length !== 3) {
        core.write(conn, errorFrame(400, ERRORS.badAuthArgs, request));
        return;
      }
      const [key, expires, signature] = args as unknown[];
      const failure = authenticate(core, conn, key, expires, signature);
      core.write(conn, failure ? errorFrame(failure.status, failure.error, request) : JSON.stringify({ success: true, request }));
      return;
    }
    case 'cancelAllAfter':
      cancelAllAfter(core, conn, request);
      return;
    default:
      core.write(conn, errorFrame(400, ERRORS.unrecognized, request));
  }
}

/** Verifies `GET/realtime` + expires (see ./auth); on success marks the connection authenticated. */
export function authenticate(core: SimulatorCore, conn: Conn, key: unknown, expires: unknown, signature: unknown): { status: number; error: string } | undefined {
  if (conn.apiKey !== undefined) return { status: 400, error: ERRORS.alreadyAuthenticated };
  const failure = checkAuth(key, expires, signature, (k) => core.accounts.secretOf(k), core.clock());
  if (failure !== undefined || typeof key !== 'string') return failure;
  conn.apiKey = key;
  conn.account = core.accounts.accountOf(key);
  return undefined;
}

/**
 * Topic subscriptions of a connection: each topic checked as the real server checks it (faults
 * first, then table, endpoint, symbol, authentication, duplicates), then the success and the
 * partial of the current image.
 * @module
 */
import { splitTopic, type Request, type Row } from '../protocol/frames';
import type { Conn, SimulatorCore } from './core';
import { earlyDeltaFrames } from './faults';
import { ERRORS, authRequiredMeta, errorFrame, subscriptionFrame } from './protocol';
import { schemaOf, type TableSchema } from './tables';

export function subscribe(core: SimulatorCore, conn: Conn, request: Request, topics: readonly string[]): void {
  for (const topic of topics) {
    const retryAfter = core.faults.takeRateLimit();
    if (retryAfter !== undefined) {
      core.write(conn, errorFrame(429, ERRORS.rateLimited(retryAfter), request, { retryAfter }));
      continue;
    }
    if (core.faults.takePendingRejection()) {
      core.write(conn, errorFrame(503, ERRORS.pendingLimit, request));
      continue;
    }
    const { table, symbol } = splitTopic(topic);
    const schema = schemaOf(table);
    if (!schema || symbol === '') {
      core.write(conn, errorFrame(400, ERRORS.unknownTable(schema ? topic : table), request));
      continue;
    }
    if (schema.platform !== (conn.path === '/realtimePlatform')) {
      core.write(conn, errorFrame(400, schema.platform ? ERRORS.platformOnly(table) : ERRORS.tradingOnly(table), request));
      continue;
    }
    if (symbol !== undefined && !schema.symbolFilter) {
      core.write(conn, errorFrame(400, ERRORS.noSymbolFilter(table), request));
      continue;
    }
    if (symbol !== undefined && symbol !== '*' && !core.market.has(symbol)) {
      core.write(conn, errorFrame(400, ERRORS.unknownSymbol(symbol), request));
      continue;
    }
    if (schema.private && conn.account === undefined) {
      core.write(conn, errorFrame(401, ERRORS.authRequired, request, authRequiredMeta()));
      continue;
    }
    if (conn.subs.has(topic)) {
      core.write(conn, errorFrame(400, ERRORS.alreadySubscribed(topic), request));
      continue;
    }
    const image = topicImage(core, conn, table, schema, symbol);
    if (core.faults.takeEarlyDeltas()) for (const text of earlyDeltaFrames(table, schema, image)) core.write(conn, text);
    conn.subs.add(topic);
    core.write(conn, subscriptionFrame('subscribe', topic, request));
    core.write(conn, partialFrame(core, conn, table, schema, symbol, image));
  }
}

export function unsubscribe(core: SimulatorCore, conn: Conn, request: Request, topics: readonly string[]): void {
  for (const topic of topics) {
    if (conn.subs.delete(topic)) core.write(conn, subscriptionFrame('unsubscribe', topic, request));
    else core.write(conn, errorFrame(400, ERRORS.notSubscribed(topic), request));
  }
}

/** The rows a partial of the topic holds now: the market's, or the connection's own account's. */
export function topicImage(core: SimulatorCore, conn: Conn, table: string, schema: TableSchema, symbol: string | undefined): Row[] {
  if (schema.private) return conn.account === undefined ? [] : core.accounts.image(table, conn.account, symbol);
  return core.market.image(table, symbol);
}

/** The partial frame, fields in the real server's order (filter, then data). */
export function partialFrame(core: SimulatorCore, conn: Conn, table: string, schema: TableSchema, symbol: string | undefined, data: Row[]): string {
  const filter: Record<string, unknown> = {};
  if (schema.private) filter.account = conn.account;
  if (symbol !== undefined && symbol !== '*') filter.symbol = symbol;
  const frame: Record<string, unknown> = { table, action: 'partial', keys: schema.keys, types: schema.types };
  if (schema.foreignKeys) frame.foreignKeys = schema.foreignKeys;
  if (schema.attributes) frame.attributes = schema.attributes;
  frame.filter = filter;
  if (table === 'chat') frame.filterKey = 'channelID';
  frame.data = data;
  return JSON.stringify(frame);
}

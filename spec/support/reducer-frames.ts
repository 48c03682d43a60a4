/**
 * Frames for the reducer specs: a helper that reduces frames as they come off the socket, and an
 * orderBookL2 partial of XBTUSD that several specs start from.
 */
import type { Row, TableFrame } from '../../lib/protocol/frames';
import { emptyTables, reduceTables } from '../../lib/reducer/reducer';
import type { ReducerOptions, TablesState } from '../../lib/reducer/reducer';

/** Reduces frames given as JSON text, as they come off the socket. */
export function run(frames: readonly (TableFrame | string)[], options?: ReducerOptions, from: TablesState = emptyTables(options)): TablesState {
  let s = from;
  for (const f of frames) s = reduceTables(s, (typeof f === 'string' ? JSON.parse(f) : JSON.parse(JSON.stringify(f))) as TableFrame);
  return s;
}

export const L2_PARTIAL_XBT = `{"table":"orderBookL2","action":"partial","keys":["symbol","id","side"],
 "types":{"symbol":"symbol","id":"long","side":"symbol","size":"long","price":"float","timestamp":"timestamp"},
 "foreignKeys":{"symbol":"instrument","side":"side"},"attributes":{"symbol":"parted","id":"sorted"},
 "filter":{"symbol":"XBTUSD"},"data":[
  {"symbol":"XBTUSD","id":8797789500,"side":"Sell","size":375300,"price":22105,"timestamp":"2023-02-15T08:11:07.502Z"},
  {"symbol":"XBTUSD","id":8797789600,"side":"Sell","size":1000,"price":22104.5,"timestamp":"2023-02-15T08:11:07.502Z"},
  {"symbol":"XBTUSD","id":8797789700,"side":"Buy","size":2000,"price":22100,"timestamp":"2023-02-15T08:11:07.502Z"},
  {"symbol":"XBTUSD","id":8797789800,"side":"Buy","size":3000,"price":22099.5,"timestamp":"2023-02-15T08:11:07.502Z"}]}`;

/** An orderBookL2 delta with these rows. */
export const l2 = (action: 'insert' | 'update' | 'delete', ...data: Row[]): TableFrame => ({ table: 'orderBookL2', action, data });

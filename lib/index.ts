/**
 * bitmex-rxjs: the BitMEX realtime WebSocket API as RxJS observables.
 * This is the only public entry point (the simulator lives in `bitmex-rxjs/testing`).
 * @module
 */
export {
  BitmexWebSocket,
  resolveEndpoint,
  type BitmexWebSocketOptions,
  type BookOptions,
  type DeadMansSwitchOptions,
  type Endpointish,
  type Storage,
} from './client/bitmex-websocket';
export type { ConnectionStatus, HeartbeatOptions, ReconnectOptions, WebSocketCtor, WebSocketLike } from './client/connection';
export { BitmexError, BitmexApiError, BitmexConnectionError, BitmexInconsistencyError } from './protocol/errors';
export {
  FrameParseError,
  parseFrame,
  topicOf,
  splitTopic,
  type Row,
  type TableAction,
  type TableFrame,
  type PartialFrame,
  type InsertFrame,
  type UpdateFrame,
  type DeleteFrame,
  type ServerFrame,
  type WelcomeFrame,
  type SubscribedFrame,
  type UnsubscribedFrame,
  type AuthenticatedFrame,
  type CancelAllAfterFrame,
  type ErrorFrame,
  type DataFrame,
  type PongFrame,
  type Request,
} from './protocol/frames';
export {
  BOOK_TABLES,
  L2_TABLES,
  PLATFORM_TABLES,
  PRIVATE_TABLES,
  UNFILTERED_TABLES,
  TABLE_KEYS,
  type BookTable,
} from './protocol/tables';
export {
  emptyTables,
  reduceTables,
  rowsOf,
  keysOf,
  tablesOf,
  clearImage,
  makeKey,
  bookOf,
  createBookView,
  type ReducerOptions,
  type TablesState,
  type Change,
  type Inconsistency,
  type Unusable,
  type BookView,
  type BookReadOptions,
} from './reducer/reducer';
export { reduceFrames } from './operators/reduce-frames';
export { tableOf$ } from './operators/table-of';
export { changesOf$ } from './operators/changes-of';
export { bookOf$, type BookOfOptions } from './operators/book-of';
export type { BookLevel, BookSnapshot } from './book/l2-book';
export { parseTimestamp } from './protocol/timestamp';
export { signRequest, authKeyExpiresArgs } from './client/sign';
export type * from './protocol/rows';
export { groupBook, cumulativeBook } from './views/operators';
export { PriceGrid } from './views/price-grid';
export { contractOf, notionalFn, type ContractSpec } from './views/contract';
export type { DepthLevel, DepthSnapshot, GroupOptions } from './views/grouped-book';
export { measureLatency, type LatencyOptions, type LatencyReport, type LatencyStats } from './views/latency';
export { ClockEstimator, type ClockEstimate } from './client/clock';

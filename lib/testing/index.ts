/**
 * `bitmex-rxjs/testing`: a local BitMEX realtime server look-alike for offline tests and demos.
 * Node only (it listens on 127.0.0.1).
 * @module
 */
export {
  BitmexSimulator,
  type BitmexSimulatorOptions,
  type CancelAllAfterRecord,
  type ClosedConnection,
  type DeadMansSwitch,
  type DropOptions,
  type ReceivedFrame,
  type SimulatorAddress,
  type SimulatorConnection,
  type SimulatorEvent,
  type SimulatorPath,
  type SimulatorStats,
} from './server';
/** Tables whose true book {@link BitmexSimulator.truth} can return. */
export type { BookTable } from '../protocol/tables';
export {
  DEFAULT_INSTRUMENTS,
  type MarketFrame,
  type SimulatorBook,
  type SimulatorInstrument,
  type SimulatorLevel,
} from './market';

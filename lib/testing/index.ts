/**
 * `bitmex-rxjs/testing`: a local BitMEX realtime server look-alike for offline tests and demos.
 * Node only (it listens on 127.0.0.1).
 * @module
 */
export { BitmexSimulator } from './server';
export type {
  BitmexSimulatorOptions,
  CancelAllAfterRecord,
  ClosedConnection,
  DeadMansSwitch,
  DropOptions,
  ReceivedFrame,
  SimulatorAddress,
  SimulatorConnection,
  SimulatorEvent,
  SimulatorPath,
  SimulatorStats,
} from './simulator-types';
/** Tables whose true book {@link BitmexSimulator.truth} can return. */
export type { BookTable } from '../protocol/tables';
export { DEFAULT_INSTRUMENTS, type SimulatorInstrument } from './instruments';
export type { MarketFrame } from './market-frames';
export type { SimulatorBook, SimulatorLevel } from './order-book';

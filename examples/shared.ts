/**
 * Command-line plumbing the live examples share, kept here so that each example file shows only
 * its use of the library: flag parsing, "the embedded simulator unless `--endpoint` is given",
 * and stopping cleanly however the run ends. Not part of the library.
 */
import { parseArgs } from 'node:util';
import { Subscription } from 'rxjs';
import type { BitmexWebSocket } from '../lib';
import { BitmexSimulator, type BitmexSimulatorOptions } from '../lib/testing';

/** The flags every live example takes besides its own. */
export interface CommonFlags {
  /** `--endpoint`: `testnet`, `mainnet` or a `ws://…` URL; undefined when not given. */
  readonly endpoint: string | undefined;
  /** `--duration` in seconds (a positive number): stop by itself after that long; undefined = until Ctrl-C. */
  readonly durationS: number | undefined;
}

/** A parsed command line, see {@link commandLine}. */
export interface CommandLine<K extends string> {
  /** The example's own flags (defaults filled in) and the common ones. */
  readonly flags: Readonly<Record<K, string>> & CommonFlags;
  /** Prints `problem` and the usage line to stderr, then exits with code 2. */
  readonly usage: (problem: string) => never;
}

/**
 * Parses `process.argv`: the string flags named in `defaults`, then `--endpoint` and `--duration`.
 * An unknown flag, a positional argument or a bad `--duration` ends the process through `usage`.
 * @param command how the example is invoked: the start of the usage line.
 */
export function commandLine<K extends string>(command: string, defaults: Readonly<Record<K, string>>): CommandLine<K> {
  const own = Object.entries<string>(defaults);
  const line = ['usage:', command, ...own.map(([name, value]) => `[--${name} ${value}]`), '[--endpoint testnet|mainnet|ws://…] [--duration SECONDS]'];
  const usage = (problem: string): never => {
    process.stderr.write(`${problem}\n${line.join(' ')}\n`);
    process.exit(2);
  };
  let values: Record<string, string | undefined>;
  try {
    const options = Object.fromEntries(own.map(([name, value]) => [name, { type: 'string' as const, default: value }]));
    // Every option is a string one, so every value is a string (or absent).
    values = parseArgs({ options: { ...options, endpoint: { type: 'string' }, duration: { type: 'string' } } }).values as Record<string, string | undefined>;
  } catch (e) {
    return usage(messageOf(e));
  }
  const { endpoint, duration, ...rest } = values;
  const durationS = duration === undefined ? undefined : Number(duration);
  // Finite too: setTimeout would turn Infinity into 1 ms.
  if (durationS !== undefined && !(Number.isFinite(durationS) && durationS > 0)) usage(`--duration takes a positive number, got ${duration}`);
  return { flags: { ...(rest as Record<K, string>), endpoint, durationS }, usage };
}

/** Where an example connects, and the simulator it started for that, if any. */
export interface Target {
  /** What to pass as the client's `endpoint`. */
  readonly endpoint: string;
  /** The embedded simulator serving `endpoint`; undefined for a real server. */
  readonly sim: BitmexSimulator | undefined;
}

/**
 * Starts an embedded simulator on 127.0.0.1 with a lively demo pace (a tick every 50 ms) and a
 * fresh seed each run; `options` add to or override that.
 */
export async function startSimulator(options: BitmexSimulatorOptions): Promise<Target & { readonly sim: BitmexSimulator }> {
  const sim = new BitmexSimulator({ tickMs: 50, seed: Date.now() % 1_000_000, ...options });
  return { endpoint: (await sim.start()).url, sim };
}

/** `endpoint` when given (no simulator), else {@link startSimulator} with `options`. */
export async function endpointOrSimulator(endpoint: string | undefined, options: BitmexSimulatorOptions): Promise<Target> {
  return endpoint === undefined ? startSimulator(options) : { endpoint, sim: undefined };
}

/** What {@link lifecycle} stops, and when. */
export interface LifecycleOptions {
  readonly bitmex: BitmexWebSocket;
  /** Stopped after the client is closed. */
  readonly sim: BitmexSimulator | undefined;
  /** Stop (exit code 0) after this many seconds; undefined = only on a signal or a closed stdout. */
  readonly durationS: number | undefined;
  /** Last words once the client and the simulator are closed (totals, the cursor, a file…). */
  readonly onStopped?: (exitCode: number) => void | Promise<void>;
}

/** The one way an example ends, see {@link lifecycle}. */
export interface Lifecycle {
  /** Ended first when stopping: add the example's subscriptions here. */
  readonly subscriptions: Subscription;
  /**
   * Unsubscribes, closes the client, stops the simulator, runs `onStopped` and sets the exit code,
   * letting the process exit by itself. Only the first call does anything.
   */
  readonly stop: (exitCode: number) => Promise<void>;
  /** An observer's `error`: prints the error's message to stderr and stops with exit code 1. */
  readonly fail: (error: unknown) => void;
}

/**
 * Arms the ways an example stops with exit code 0: SIGINT (Ctrl-C), SIGTERM, the `--duration`
 * timer, and an error on stdout (e.g. EPIPE from `| head`), which would otherwise crash it.
 */
export function lifecycle(options: LifecycleOptions): Lifecycle {
  const subscriptions = new Subscription();
  let stopping = false;
  const stop = async (exitCode: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    clearTimeout(timer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    subscriptions.unsubscribe();
    await options.bitmex.close();
    await options.sim?.stop();
    await options.onStopped?.(exitCode);
    process.exitCode = exitCode;
  };
  const onSignal = (): void => void stop(0);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Stays registered: the last words may hit the closed pipe too.
  process.stdout.on('error', onSignal);
  const timer = options.durationS === undefined ? undefined : setTimeout(onSignal, options.durationS * 1000);
  const fail = (error: unknown): void => {
    process.stderr.write(`${messageOf(error)}\n`);
    void stop(1);
  };
  return { subscriptions, stop, fail };
}

/** Runs an example's `main`; if it rejects, prints the message and sets exit code 1. */
export function run(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    process.stderr.write(`${messageOf(e)}\n`);
    process.exitCode = 1;
  });
}

/** The message of anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

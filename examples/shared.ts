/**
 * Command-line plumbing the live examples share, kept here so that each example file shows only
 * its use of the library: flag parsing, "the embedded simulator unless `--endpoint` is given",
 * and stopping cleanly however the run ends. Not part of the library.
 */
import { Subscription } from 'rxjs';
import { BitmexApiError, resolveEndpoint, type BitmexWebSocket } from '../lib';
import { BitmexSimulator, type BitmexSimulatorOptions } from '../lib/testing';

/** The flags every live example takes besides its own. */
export interface CommonFlags {
  /** `--endpoint`: `testnet`, `mainnet` or a `ws://…` URL, checked; undefined when not given. */
  readonly endpoint: string | undefined;
  /** `--duration` in seconds (a positive number): stop by itself after that long; undefined = until Ctrl-C. */
  readonly durationS: number | undefined;
}

/** What {@link commandLine} accepts besides the example's own flags. */
export interface CommandLineOptions {
  /** Takes `--endpoint` and `--duration` (the live examples). Default true. */
  readonly live?: boolean;
  /** The name of the one positional argument it requires (in the usage line), if any. */
  readonly positional?: string;
}

/** A parsed command line, see {@link commandLine}. */
export interface CommandLine<K extends string> {
  /** The example's own flags (defaults filled in) and the common ones. */
  readonly flags: Readonly<Record<K, string>> & CommonFlags;
  /** The positional argument, when the example takes one ('' otherwise). */
  readonly positional: string;
  /** Prints `problem` and the usage line to stderr, then exits with code 2. */
  readonly usage: (problem: string) => never;
  /** Flag `name` as an integer in [min, max], or {@link usage} saying what it takes. */
  readonly integer: (name: K, min: number, max?: number) => number;
}

const COMMON_USAGE = '[--endpoint testnet|mainnet|ws://…] [--duration SECONDS]';

/**
 * Parses `process.argv` by one rule for every example: `--name value` or `--name=value` (a value
 * may start with a dash, so `--duration -1` is a bad duration, not a missing one), the example's
 * own flags named in `defaults`, then `--endpoint` and `--duration` for live examples. Anything
 * wrong (an unknown flag, a missing or bad value, a stray argument) ends the process through
 * `usage`: the problem, the usage line, exit code 2. `--help` prints the usage line and exits 0.
 * @param command how the example is invoked: the start of the usage line.
 */
export function commandLine<K extends string>(
  command: string,
  defaults: Readonly<Record<K, string>>,
  { live = true, positional: positionalName }: CommandLineOptions = {},
): CommandLine<K> {
  const own = Object.entries<string>(defaults);
  const line = ['usage:', command, ...(positionalName === undefined ? [] : [positionalName]), ...own.map(([name, value]) => `[--${name} ${value}]`)];
  if (live) line.push(COMMON_USAGE);
  const usage = (problem: string): never => {
    process.stderr.write(`${problem}\n${line.join(' ')}\n`);
    process.exit(2);
  };
  const names = new Set([...own.map(([name]) => name), ...(live ? ['endpoint', 'duration'] : [])]);
  const values = new Map<string, string>(own);
  const positionals: string[] = [];
  const args = process.argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${line.join(' ')}\n`);
      process.exit(0);
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') ? arg.slice(2, eq < 0 ? undefined : eq) : '';
    if (!names.has(name)) usage(`unknown flag ${eq < 0 ? arg : arg.slice(0, eq)}`);
    const value = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined) usage(`--${name} needs a value`);
    values.set(name, value as string);
  }
  if (positionalName === undefined && positionals.length > 0) usage(`unexpected argument ${positionals[0]}`);
  if (positionalName !== undefined && positionals.length !== 1) usage(`give exactly one ${positionalName}`);

  const endpoint = values.get('endpoint');
  if (endpoint !== undefined) {
    try {
      resolveEndpoint(endpoint);
    } catch (e) {
      usage(`--endpoint: ${messageOf(e)}`);
    }
  }
  const duration = values.get('duration');
  const durationS = duration === undefined ? undefined : Number(duration);
  // Finite too: setTimeout would turn Infinity into 1 ms.
  if (durationS !== undefined && !(duration?.trim() !== '' && Number.isFinite(durationS) && durationS > 0)) {
    usage(`--duration takes a positive number of seconds, got ${duration}`);
  }
  const flags = { ...(Object.fromEntries(own.map(([name]) => [name, values.get(name) as string])) as Record<K, string>), endpoint, durationS };
  const integer = (name: K, min: number, max = Number.MAX_SAFE_INTEGER): number => {
    const raw = flags[name];
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
      const range = max !== Number.MAX_SAFE_INTEGER ? `an integer from ${min} to ${max}` : min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer of at least ${min}`;
      usage(`--${name} takes ${range}, got ${raw}`);
    }
    return n;
  };
  return { flags, positional: positionals[0] ?? '', usage, integer };
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

/** The message of anything thrown; BitMEX's own refusals (an unknown symbol, say) with their status. */
export function messageOf(error: unknown): string {
  if (error instanceof BitmexApiError) return `BitMEX answered ${error.status}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

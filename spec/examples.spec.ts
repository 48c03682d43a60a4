/**
 * The examples, run as a user would: they type-check, `npm start` draws a ladder and exits by
 * itself after `--duration`, and a recording replays into a book. Each example starts its own
 * embedded simulator on 127.0.0.1, so nothing here touches the network.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BitmexSimulator } from '../lib/testing';

const ROOT = join(__dirname, '..');

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a command from the repository root with piped (non-TTY) output; kills it after `killAfterMs` (a hang fails the test).
 * `onStdout` sees the output so far after each chunk, with the child (e.g. to signal it).
 */
function run(
  command: string,
  args: readonly string[],
  killAfterMs: number,
  env: NodeJS.ProcessEnv = process.env,
  onStdout?: (stdout: string, child: ChildProcess) => void,
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      onStdout?.(stdout, child);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Runs an example with tsx, the way `npm start` does (but without npm's own start-up cost). */
function example(file: string, args: readonly string[], env?: NodeJS.ProcessEnv, onStdout?: (stdout: string, child: ChildProcess) => void): Promise<Run> {
  return run(process.execPath, ['--import', 'tsx', join('examples', file), ...args], 15000, env, onStdout);
}

/** `ask|bid  price  size` lines of a printed ladder. */
function levels(text: string, side: 'ask' | 'bid'): { price: number; size: number }[] {
  const re = new RegExp(`^${side}\\s+(\\d+(?:\\.\\d+)?)\\s+([\\d,]+)`, 'gm');
  return [...text.matchAll(re)].map((m) => ({ price: Number(m[1]), size: Number((m[2] as string).replace(/,/g, '')) }));
}

/** Asserts `frame` holds a non-crossed book with `depth` levels a side, printed worst ask → best bid. */
function expectLadder(frame: string, depth: number): void {
  const asks = levels(frame, 'ask');
  const bids = levels(frame, 'bid');
  expect(asks).toHaveLength(depth);
  expect(bids).toHaveLength(depth);
  const askPrices = asks.map((l) => l.price);
  const bidPrices = bids.map((l) => l.price);
  expect(askPrices).toEqual([...askPrices].sort((a, b) => b - a));
  expect(bidPrices).toEqual([...bidPrices].sort((a, b) => b - a));
  const bestAsk = Math.min(...askPrices);
  const bestBid = Math.max(...bidPrices);
  expect(bestBid).toBeLessThan(bestAsk);
  for (const l of [...asks, ...bids]) expect(l.size).toBeGreaterThan(0);
}

describe('examples', () => {
  let tmp: string;
  // The type check is the slowest step: start it first and let the other tests run meanwhile.
  let typecheck: Promise<Run>;
  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'bitmex-examples-'));
    typecheck = run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'examples/tsconfig.json', '--noEmit', '--listFiles'], 120000);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('npm start -- --group 5 shows price buckets, the clock offset and the latency', async () => {
    const r = await example('order-book.ts', ['--duration', '3', '--depth', '6', '--group', '5']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const frames = r.stdout.split(/^(?=XBTUSD orderBookL2 )/m).filter((f) => f.includes('frames/s'));
    const lastFrame = frames[frames.length - 1] as string;
    // The clock offset (either sign) and the latency, shown as 0 when the figure is below zero.
    // How large they are depends on the machine's load: not checked.
    expect(lastFrame).toMatch(/^XBTUSD orderBookL2 {2}6 buckets of 5 .* open .* clock [+-]\d+ ms {2}· {2}latency (\d+ ms \(max \d+\)|\?)/);
    expect(frames.some((f) => /latency \d+ ms \(max \d+\)/.test(f))).toBe(true);
    expectLadder(lastFrame, 6);
    for (const l of [...levels(lastFrame, 'ask'), ...levels(lastFrame, 'bid')]) expect(l.price % 5).toBe(0);
  }, 30000);

  it('npm start draws a plain ladder once a second when piped, then exits 0 by itself after --duration', async () => {
    const r = await example('order-book.ts', ['--duration', '3', '--depth', '8']);
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\x1b'); // no ANSI when stdout is not a terminal
    const frames = r.stdout.split(/^(?=XBTUSD orderBookL2_25)/m).filter((f) => f.includes('frames/s'));
    expect(frames.length).toBeGreaterThanOrEqual(1);
    const lastFrame = frames[frames.length - 1] as string;
    expect(lastFrame).toMatch(/^XBTUSD orderBookL2_25 {2}top 8 .* simulator ws:\/\/127\.0\.0\.1:\d+\/realtime .* open /);
    expect(lastFrame).toMatch(/spread \d/);
    expectLadder(lastFrame, 8);
  }, 30000);

  it('recorder writes NDJSON starting with partials, and replay rebuilds a book from it', async () => {
    const out = join(tmp, 'recording.ndjson');
    const rec = await example('recorder.ts', ['--topics', 'orderBookL2_25:XBTUSD,trade:XBTUSD', '--out', out, '--duration', '2']);
    expect(rec.code).toBe(0);
    expect(rec.stderr).toMatch(/recorded \d+ changes/);

    const lines = readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThan(2);
    const first = lines[0] as Record<string, unknown>;
    expect(first).toMatchObject({ table: 'orderBookL2_25', action: 'partial', symbol: 'XBTUSD', keys: ['symbol', 'id', 'side'] });
    expect(Number.isNaN(Date.parse(first.receivedAt as string))).toBe(false);
    expect((first.rows as unknown[]).length).toBeGreaterThan(0);
    // Every topic's first line is its partial; deltas follow.
    for (const table of ['orderBookL2_25', 'trade']) expect(lines.find((l) => l.table === table)?.action).toBe('partial');
    expect(lines.some((l) => l.table === 'orderBookL2_25' && l.action !== 'partial')).toBe(true);

    const replay = await example('replay.ts', [out, '--depth', '5']);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);
    expect(replay.stdout).toContain(`replayed ${lines.length} changes`);
    expect(replay.stdout).toContain('0 unreadable lines; 0 inconsistencies');
    expect(replay.stdout).toMatch(/orderBookL2_25 XBTUSD: \d+ changes/);
    expectLadder(replay.stdout, 5);
  }, 30000);

  it('trades prints a tape of the requested symbols and their totals, then exits 0', async () => {
    const r = await example('trades.ts', ['--symbols', 'XBTUSD,ETHUSD', '--duration', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^trade tape for XBTUSD, ETHUSD from the simulator at ws:\/\/127\.0\.0\.1:\d+\/realtime$/m);
    expect(r.stdout).toMatch(/^ {2}XBTUSD {2}\d+ trades, /m);
    expect(r.stdout).toMatch(/^ {2}ETHUSD {2}\d+ trades, /m);
    const tape = [...r.stdout.matchAll(/^\d\d:\d\d:\d\d\.\d{3} {2}(\w+) +(Buy|Sell) /gm)].map((m) => m[1]);
    expect(tape.length).toBeGreaterThan(0);
    for (const symbol of tape) expect(['XBTUSD', 'ETHUSD']).toContain(symbol);
  }, 30000);

  it('trades starts with the partials\' trades of every symbol in time order, prices to each instrument\'s tick size', async () => {
    let now = Date.parse('2026-01-02T03:04:05.000Z');
    const sim = new BitmexSimulator({ seed: 5, clock: () => now });
    const { url } = await sim.start();
    try {
      // Trades at many different times, before the example connects: all of it is partial data.
      for (let i = 0; i < 200; i++) {
        now += 37;
        sim.step(5);
      }
      const r = await example('trades.ts', ['--endpoint', url, '--symbols', 'XBTUSD,ETHUSD,SOLUSD', '--duration', '2']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const tape = [...r.stdout.matchAll(/^(\d\d:\d\d:\d\d\.\d{3}) {2}(\w+) +(?:Buy|Sell) +[\d,]+ @ +(\S+) /gm)].map((m) => ({
        time: m[1] as string,
        symbol: m[2] as string,
        price: m[3] as string,
      }));
      expect(new Set(tape.map((t) => t.symbol))).toEqual(new Set(['XBTUSD', 'ETHUSD', 'SOLUSD']));
      const times = tape.map((t) => t.time);
      expect(times).toEqual([...times].sort());
      // Tick sizes 0.5, 0.05 and 0.01: one, two and two decimals on every line.
      const decimals = { XBTUSD: /^\d+\.\d$/, ETHUSD: /^\d+\.\d\d$/, SOLUSD: /^\d+\.\d\d$/ } as const;
      for (const t of tape) expect(t.price).toMatch(decimals[t.symbol as keyof typeof decimals]);
    } finally {
      await sim.stop();
    }
  }, 30000);

  it('Ctrl-C (SIGINT) stops trades cleanly: the client and simulator close, totals print, exit code 0', async () => {
    let signalled = false;
    const r = await example('trades.ts', ['--symbols', 'XBTUSD'], undefined, (stdout, child) => {
      // Signal once the first trade is on the tape, i.e. mid-stream.
      if (!signalled && /^\d\d:\d\d:\d\d\.\d{3} {2}XBTUSD /m.test(stdout)) {
        signalled = true;
        child.kill('SIGINT');
      }
    });
    expect(signalled).toBe(true);
    expect(r.stderr).toBe('');
    expect(r.signal).toBeNull();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\ntotals:\n {2}XBTUSD {2}[1-9]\d* trades, .*\n$/);
  }, 30000);

  it('every example CLI: a bad flag or value prints the problem and the usage line, exit code 2', async () => {
    const common = '[--endpoint testnet|mainnet|ws://…] [--duration SECONDS]';
    const usage = {
      'order-book.ts': `usage: order-book [--symbol XBTUSD] [--depth 10] [--group none] ${common}`,
      'trades.ts': `usage: trades [--symbols XBTUSD,ETHUSD] ${common}`,
      'recorder.ts': `usage: recorder [--topics orderBookL2_25:XBTUSD,trade:XBTUSD] [--out recording.ndjson] ${common}`,
      'private.ts': `usage: [BITMEX_API_KEY=… BITMEX_API_SECRET=…] private ${common}`,
      'replay.ts': 'usage: replay recording.ndjson [--depth 10]',
      'simulator.ts': 'usage: simulator [--port 8790] [--tick 100] [--seed random]',
      '../scripts/serve-browser-example.ts': 'usage: serve-browser-example [--port 8080] [--tick-ms 100]',
    } as const;
    const endpointProblem = (got: string) =>
      `--endpoint: endpoint must be 'mainnet', 'testnet' or a ws:// or wss:// URL of a /realtime endpoint, got "${got}"`;
    const noKeys = { ...process.env, BITMEX_API_KEY: '', BITMEX_API_SECRET: '' };
    const cases: [keyof typeof usage, string[], string, NodeJS.ProcessEnv?][] = [
      ['recorder.ts', ['--nope'], 'unknown flag --nope'],
      ['trades.ts', ['--duration', '-1'], '--duration takes a positive number of seconds, got -1'],
      ['trades.ts', ['--duration=soon'], '--duration takes a positive number of seconds, got soon'],
      ['order-book.ts', ['--duration', 'Infinity'], '--duration takes a positive number of seconds, got Infinity'],
      ['order-book.ts', ['--duration'], '--duration needs a value'],
      ['order-book.ts', ['--endpoint', 'testnett'], endpointProblem('testnett')],
      ['trades.ts', ['--endpoint=http://127.0.0.1:1/realtime'], '--endpoint: endpoint must be a ws:// or wss:// URL of a /realtime endpoint, got "http://127.0.0.1:1/realtime"'],
      ['recorder.ts', ['--endpoint', 'ws://127.0.0.1:1/'], '--endpoint: endpoint must be a ws:// or wss:// URL of a /realtime endpoint, got "ws://127.0.0.1:1/"'],
      ['private.ts', ['--endpoint', 'nowhere'], endpointProblem('nowhere')],
      ['order-book.ts', ['--depth', '2.5'], '--depth takes a positive integer, got 2.5'],
      ['order-book.ts', ['--group', '-5'], '--group takes a positive price step, got -5'],
      ['order-book.ts', ['XBTUSD'], 'unexpected argument XBTUSD'],
      ['trades.ts', ['--symbols', ','], '--symbols needs at least one symbol'],
      ['recorder.ts', ['--topics='], '--topics needs at least one topic'],
      ['replay.ts', [], 'give exactly one recording.ndjson'],
      ['replay.ts', ['no-such-file.ndjson'], 'no such file: no-such-file.ndjson'],
      ['replay.ts', ['x.ndjson', '--depth', '0'], '--depth takes a positive integer, got 0'],
      ['replay.ts', ['x.ndjson', '--duration', '2'], 'unknown flag --duration'],
      ['simulator.ts', ['--port', '70000'], '--port takes an integer from 0 to 65535, got 70000'],
      ['simulator.ts', ['--tick=-5'], '--tick takes a positive integer, got -5'],
      ['simulator.ts', ['--seed', 'x'], '--seed takes a non-negative integer, got x'],
      ['../scripts/serve-browser-example.ts', ['--port', '-1'], '--port takes an integer from 0 to 65535, got -1'],
      ['private.ts', ['--endpoint', 'ws://127.0.0.1:1/realtime'], '--endpoint needs BITMEX_API_KEY and BITMEX_API_SECRET in the environment', noKeys],
    ];
    // A few at a time: each is a Node process starting tsx.
    const runs: Run[] = [];
    for (let i = 0; i < cases.length; i += 4) {
      runs.push(...(await Promise.all(cases.slice(i, i + 4).map(([file, args, , env]) => example(file, args, env)))));
    }
    cases.forEach(([file, args, problem], i) => {
      const r = runs[i] as Run;
      expect({ file, args, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
        file,
        args,
        code: 2,
        stdout: '',
        stderr: `${problem}\n${usage[file]}\n`,
      });
    });
    const help = await example('trades.ts', ['--help']);
    expect(help).toMatchObject({ code: 0, stdout: `${usage['trades.ts']}\n`, stderr: '' });
  }, 120000);

  it('an unknown symbol gets BitMEX\'s 400, which the demo prints before exiting 1', async () => {
    const r = await example('order-book.ts', ['--symbol', 'FOOBAR', '--duration', '5']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('BitMEX answered 400: Unknown or expired symbol: FOOBAR. Please see the documentation at https://www.bitmex.com/app/wsAPI.\n');
  }, 30000);

  it('the simulator on a busy port says which flag picks another', async () => {
    const busy = new BitmexSimulator();
    const { port } = await busy.start();
    try {
      const r = await example('simulator.ts', ['--port', String(port)]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`port ${port} is in use: pick another with --port N (e.g. npm run simulator -- --port ${port + 1}; --port 0 takes any free port)\n`);
    } finally {
      await busy.stop();
    }
  }, 30000);

  it('private authenticates with the env keys, arms and then disarms the dead man\'s switch, never prints the secret', async () => {
    const apiKey = 'example-spec-key';
    const apiSecret = 'example-spec-secret-9f3a';
    const sim = new BitmexSimulator({ apiKeys: { [apiKey]: apiSecret }, tickMs: 20, privateEventRate: 0.5, seed: 11 });
    const { url } = await sim.start();
    try {
      const env = { ...process.env, BITMEX_API_KEY: apiKey, BITMEX_API_SECRET: apiSecret };
      const r = await example('private.ts', ['--endpoint', url, '--duration', '2'], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout + r.stderr).not.toContain(apiSecret);
      expect(r.stdout).not.toContain(apiKey); // masked too
      expect(r.stdout).toContain("authenticated; dead man's switch: cancelAllAfter 60 s");
      expect(r.stdout).toMatch(/^[\d:.]+ {2}order {4}\S{8} (Buy|Sell) /m);
      expect(r.stdout).toMatch(/^[\d:.]+ {2}position XBTUSD /m);
      expect(r.stdout).toMatch(/closed; dead man's switch disarmed\n$/);
      const timeouts = sim.cancelAllAfterLog.map((c) => c.timeoutMs);
      expect(timeouts[0]).toBe(60000);
      expect(timeouts[timeouts.length - 1]).toBe(0);
      expect(sim.deadMansSwitch(apiKey)).toBeUndefined();
    } finally {
      await sim.stop();
    }
  }, 30000);

  it('every example type-checks (with the library it imports)', async () => {
    const r = await typecheck;
    expect(r.stdout + r.stderr).not.toMatch(/error TS/);
    expect(r.code).toBe(0);
    for (const file of ['shared.ts', 'order-book.ts', 'trades.ts', 'private.ts', 'recorder.ts', 'replay.ts', 'simulator.ts']) {
      expect(r.stdout).toContain(join(ROOT, 'examples', file));
    }
  }, 120000);
});

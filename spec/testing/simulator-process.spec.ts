/**
 * The simulator as a process: `npm run simulator` serves and stops on SIGINT, and a program that
 * calls stop() exits by itself (no timer or socket left behind).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import { ROOT, TSX, exited, runProgram } from '../support/child-program';

/** Resolves with the first stdout match of `pattern`. */
function output(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((res, rej) => {
    let text = '';
    child.stdout?.on('data', (d: Buffer) => {
      text += d.toString();
      const m = text.match(pattern);
      if (m) res(m);
    });
    child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
    child.once('exit', () => rej(new Error(`exited before printing ${pattern}: ${text}`)));
  });
}

it('npm run simulator: prints its URLs, serves a live market, stops on SIGINT', async () => {
  const child = spawn(TSX, ['examples/simulator.ts', '--port', '0', '--tick', '10'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const done = exited(child);
  try {
    const [, url] = await output(child, /trading topics:\s+(ws:\/\/127\.0\.0\.1:\d+\/realtime)\s/);
    const ws = new WebSocket(`${url}?subscribe=trade:XBTUSD,orderBookL2_25:XBTUSD`);
    const frames: { table?: string; action?: string }[] = [];
    await new Promise<void>((res, rej) => {
      ws.on('error', rej);
      ws.on('message', (d: Buffer) => {
        frames.push(JSON.parse(d.toString()) as { table?: string; action?: string });
        // Welcome, 2 × (success + partial), then a timer-driven delta.
        if (frames.length > 5 && frames.some((f, i) => i >= 5 && f.action !== 'partial' && f.table)) res();
      });
    });
    ws.terminate();
    child.kill('SIGINT');
    expect(await done).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
}, 30000);

it('a program that calls stop() exits on its own, even with clients, subscriptions and an armed switch', async () => {
  const child = runProgram(
    'bitmex-sim-',
    `
import WebSocket from ${JSON.stringify(join(ROOT, 'node_modules', 'ws', 'index.js'))};
import { BitmexSimulator } from ${JSON.stringify(join(ROOT, 'lib', 'testing'))};
import { authKeyExpiresArgs } from ${JSON.stringify(join(ROOT, 'lib', 'index'))};
(async () => {
  const sim = new BitmexSimulator({ tickMs: 5, apiKeys: { k: 's' } });
  const { url } = await sim.start();
  const ws = new WebSocket(url + '?subscribe=orderBookL2');
  await new Promise((r) => ws.once('open', r));
  ws.send(JSON.stringify({ op: 'authKeyExpires', args: authKeyExpiresArgs('k', 's') }));
  ws.send(JSON.stringify({ op: 'cancelAllAfter', args: 600000 }));
  await sim.waitFor(() => sim.deadMansSwitch('k') !== undefined);
  await sim.stop();
  console.log('stopped');
})();
`,
  );
  const done = exited(child);
  try {
    await output(child, /stopped/);
    expect(await done).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
}, 30000);

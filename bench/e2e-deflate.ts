/**
 * What permessage-deflate costs a `ws` client: a server process (`ws` with permessage-deflate
 * enabled for every message, as a server that compresses would) sends the bench's orderBookL2
 * delta frames to each new connection; the client JSON.parses them and measures its own CPU time
 * (process.cpuUsage, all threads) from the first frame to the last. Two clients, each a fresh
 * process, interleaved: `ws` as it comes (it offers the extension, so the server compresses) and
 * `ws` with `perMessageDeflate: false` (the server then sends plain text). The bench's own e2e
 * server never compresses, so bench/e2e.ts cannot show this.
 *
 * ```sh
 * npx tsx bench/e2e-deflate.ts [--rounds=5] [--rows=60000]
 * ```
 * @module
 */
import { fork, type ChildProcess } from 'node:child_process';
import WebSocket, { WebSocketServer } from 'ws';
import { buildFrames } from './frames';

function flag(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit === undefined ? fallback : Number(hit.slice(name.length + 3));
}

function server(): void {
  const frames = buildFrames({ rows: flag('rows', 60_000) }).frames;
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: { threshold: 0 } });
  wss.on('connection', (socket) => {
    let i = 0;
    // Sent in bursts that wait for the socket to drain: the server stays ahead of either client.
    const pump = (): void => {
      while (i < frames.length && socket.bufferedAmount < 1 << 20) socket.send(frames[i++] as string);
      if (i < frames.length) setImmediate(pump);
    };
    pump();
  });
  wss.on('listening', () => process.send?.({ port: (wss.address() as { port: number }).port, frames: frames.length }));
}

function client(port: number, frames: number, deflate: boolean): void {
  const ws = new WebSocket(`ws://127.0.0.1:${port}`, deflate ? {} : { perMessageDeflate: false });
  let seen = 0;
  let cpu0: NodeJS.CpuUsage | undefined;
  let sink = 0;
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { data: unknown[] };
    sink += msg.data.length;
    if (++seen === 1) cpu0 = process.cpuUsage();
    if (seen === frames) {
      const c = process.cpuUsage(cpu0);
      process.send?.({ us: (c.user + c.system) / (frames - 1), extensions: ws.extensions, sink }, () => process.exit(0));
    }
  });
}

function message<T>(child: ChildProcess): Promise<T> {
  return new Promise<T>((ok, fail) => {
    child.once('message', (m) => ok(m as T));
    child.once('exit', (code) => fail(new Error(`child exited (${code}) before reporting`)));
  });
}

async function main(): Promise<void> {
  const srv = fork(__filename, ['--server', ...process.argv.slice(2)], { execArgv: process.execArgv });
  try {
    const { port, frames } = await message<{ port: number; frames: number }>(srv);
    const rounds = flag('rounds', 5);
    const per: Record<string, number[]> = { deflate: [], plain: [] };
    for (let r = 0; r < rounds; r++) {
      for (const name of r % 2 === 0 ? ['deflate', 'plain'] : ['plain', 'deflate']) {
        const child = fork(__filename, [`--client=${name}`, `--port=${port}`, `--frames=${frames}`], { execArgv: process.execArgv });
        const res = await message<{ us: number; extensions: string }>(child);
        per[name]?.push(res.us);
        console.log(`round ${r + 1} ${name.padEnd(7)} ${res.us.toFixed(2)} µs/frame CPU  (extensions: ${JSON.stringify(res.extensions)})`);
      }
    }
    const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
    const d = med(per.deflate ?? []);
    const p = med(per.plain ?? []);
    console.log(`median: permessage-deflate ${d.toFixed(2)}, plain ${p.toFixed(2)} µs/frame; deflate / plain ${(d / p).toFixed(2)}`);
  } finally {
    srv.kill();
  }
}

const clientArg = process.argv.find((a) => a.startsWith('--client='));
if (process.argv.includes('--server')) server();
else if (clientArg !== undefined) client(flag('port', 0), flag('frames', 0), clientArg.endsWith('=deflate'));
else
  main().catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });

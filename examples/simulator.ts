/**
 * `npm run simulator [-- --port 8790] [--tick 100] [--seed N]`: a local BitMEX realtime server
 * look-alike with a live, timer-driven market, for trying the library (or a bot) offline.
 * `--port` picks the port (0: any free one), `--tick` the milliseconds between market ticks,
 * `--seed` the market's random sequence (default: a new one each run). Stops on Ctrl-C.
 */
import { BitmexSimulator } from '../lib/testing';
import { commandLine, messageOf } from './shared';

const { flags, integer } = commandLine('simulator', { port: '8790', tick: '100', seed: 'random' }, { live: false });
const port = integer('port', 0, 65535);
const tickMs = integer('tick', 1);
const seed = flags.seed === 'random' ? Date.now() % 100000 : integer('seed', 0);

const DEMO_KEY = 'demo-key';
const DEMO_SECRET = 'demo-secret';

async function main(): Promise<void> {
  const sim = new BitmexSimulator({ port, tickMs, eventsPerTick: 2, seed, apiKeys: { [DEMO_KEY]: DEMO_SECRET } });
  const { url, platformUrl, httpUrl } = await sim.start().catch((e: unknown) => {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    process.stderr.write(`port ${port} is in use: pick another with --port N (e.g. npm run simulator -- --port ${port + 1}; --port 0 takes any free port)\n`);
    return process.exit(1);
  });
  console.log(`BitMEX realtime simulator (XBTUSD, ETHUSD, SOLUSD), seed ${seed}, a market tick every ${tickMs} ms`);
  console.log(`  trading topics:  ${url}`);
  console.log(`  platform topics: ${platformUrl}`);
  console.log(`  http:            ${httpUrl}`);
  console.log(`  api key / secret: ${DEMO_KEY} / ${DEMO_SECRET}`);
  console.log('Ctrl-C to stop.');

  sim.on((e) => {
    if (e.type === 'connection') console.log(`+ connection ${e.connection.id} on ${e.connection.path}`);
    else if (e.type === 'close') console.log(`- connection ${e.connId} closed (${e.code})`);
  });

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    const s = sim.stats();
    console.log(`\nstopping: ${s.steps} market events, ${s.framesSent} frames sent, ${s.handshakes.accepted} connections`);
    void sim.stop().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(messageOf(e));
  process.exit(1);
});

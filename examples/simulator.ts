/**
 * `npm run simulator [-- --port N] [--tick MS] [--seed N]`: a local BitMEX realtime server
 * look-alike with a live, timer-driven market, for trying the library (or a bot) offline.
 * Stops on Ctrl-C.
 */
import { BitmexSimulator } from '../lib/testing';

function flag(name: string, fallback: number): number {
  const args = process.argv.slice(2);
  const i = args.indexOf(`--${name}`);
  const inline = args.find((a) => a.startsWith(`--${name}=`));
  const raw = inline ? inline.slice(name.length + 3) : i >= 0 ? args[i + 1] : undefined;
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`--${name} takes a non-negative integer, got ${raw}`);
    process.exit(2);
  }
  return n;
}

const DEMO_KEY = 'demo-key';
const DEMO_SECRET = 'demo-secret';

async function main(): Promise<void> {
  const sim = new BitmexSimulator({
    port: flag('port', 8790),
    tickMs: flag('tick', 100),
    eventsPerTick: 2,
    seed: flag('seed', Date.now() % 100000),
    apiKeys: { [DEMO_KEY]: DEMO_SECRET },
  });
  const { url, platformUrl, httpUrl } = await sim.start();
  console.log('BitMEX realtime simulator (XBTUSD, ETHUSD, SOLUSD)');
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
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

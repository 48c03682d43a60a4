/**
 * Serves the browser example on 127.0.0.1 next to a local simulator, for trying the page by hand:
 *   npm run build:browser-example && npx tsx scripts/serve-browser-example.ts [--port 8080] [--tick-ms 100]
 * then open the printed URL. spec/browser.spec.ts uses {@link serveBrowserExample} too.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { BitmexSimulator } from '../lib/testing';
import { commandLine } from '../examples/shared';
import { BROWSER_EXAMPLE_DIR } from './build-browser-example';

/** A running static server for the example page. */
export interface ExampleServer {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  close(): Promise<void>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.map': 'application/json',
};

/** Serves index.html at `/` and the bundle from `distDir` at `/dist/` (nothing else). */
export async function serveBrowserExample(distDir = path.join(BROWSER_EXAMPLE_DIR, 'dist'), port = 0): Promise<ExampleServer> {
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file =
      pathname === '/' || pathname === '/index.html'
        ? path.join(BROWSER_EXAMPLE_DIR, 'index.html')
        : pathname.startsWith('/dist/')
          ? path.join(distDir, path.basename(pathname))
          : undefined;
    if (file === undefined || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store' }).end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function main(): Promise<void> {
  const { integer } = commandLine('serve-browser-example', { port: '8080', 'tick-ms': '100' }, { live: false });
  const port = integer('port', 0, 65535);
  const tickMs = integer('tick-ms', 1);
  if (!fs.existsSync(path.join(BROWSER_EXAMPLE_DIR, 'dist', 'main.js'))) {
    throw new Error('examples/browser/dist/main.js is missing: run `npm run build:browser-example` first');
  }
  const sim = new BitmexSimulator({ tickMs });
  const { url: simUrl } = await sim.start();
  const site = await serveBrowserExample(undefined, port);
  console.log(`simulator: ${simUrl}`);
  console.log(`open:      ${site.url}?symbol=XBTUSD&endpoint=${encodeURIComponent(simUrl)}`);
  console.log(`mainnet:   ${site.url}?symbol=XBTUSD`);
  const stop = (): void => {
    void Promise.all([site.close(), sim.stop()]).then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}

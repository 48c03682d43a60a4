/**
 * The library in a browser. First, statically: the client entry bundled for the browser pulls in
 * no Node built-in, no `ws`, and only the HMAC-SHA256 part of crypto-js. Then for real: the
 * example page (examples/browser) in headless Chromium against the local simulator, checked
 * against the simulator's true book, before and after every connection is dropped.
 */
import { build } from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { BitmexSimulator } from '../lib/testing';
import { browserStandIns } from '../scripts/browser-stand-ins';
import { buildBrowserExample } from '../scripts/build-browser-example';
import { serveBrowserExample, type ExampleServer } from '../scripts/serve-browser-example';
import { itWhen } from './support/skips';

const ROOT = path.resolve(__dirname, '..');
// CHROMIUM_PATH points the tests at another Chromium (or, to see the skip report, at none).
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-quic',
  '--no-first-run',
  '--disable-component-update',
  '--disable-sync',
];
const ON_CI = Boolean(process.env.CI) && process.env.CI !== 'false';
const HAVE_CHROMIUM = fs.existsSync(CHROMIUM);
const DEPTH = 15;
const SYMBOL = 'XBTUSD';

// Missing Chromium on CI is a failure (the test runs and says why), never a silent skip.
const inBrowser = itWhen(HAVE_CHROMIUM || ON_CI, __filename, {
  why: `no Chromium at ${CHROMIUM}`,
  fix: 'apt-get update && apt-get install -y chromium   (Debian; or CHROMIUM_PATH=/path/to/chromium npm test)',
});

describe('browser bundle of the client entry', () => {
  let inputs: string[];
  let output: string;

  beforeAll(async () => {
    const result = await build({
      entryPoints: [path.join(ROOT, 'lib', 'index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      external: ['rxjs', 'rxjs/*'],
      metafile: true,
      write: false,
      logLevel: 'silent',
      plugins: [browserStandIns],
    });
    inputs = Object.keys(result.metafile.inputs);
    output = result.outputFiles[0]!.text;
  });

  it('contains no Node built-in and no ws', () => {
    // esbuild with platform "browser" already refuses unresolvable built-ins; this also catches
    // a browser-field stub or a polyfill slipping in.
    // `(disabled):crypto` is crypto-js's own browser-field stub for its guarded require('crypto').
    const nodeOnly = inputs.filter(
      (f) =>
        !f.startsWith('(disabled):') &&
        (/(^|\/)node_modules\/ws\//.test(f) ||
        /^node:/.test(f) ||
        /(^|\/)isomorphic-ws\/node\.js$/.test(f) ||
          /^(crypto|http|https|net|tls|stream|events|zlib|buffer|url|os|fs|path)$/.test(f)),
    );
    expect(inputs.filter((f) => f.startsWith('(disabled):'))).toEqual(['(disabled):crypto']);
    expect(nodeOnly).toEqual([]);
    expect(inputs).toContain('node_modules/isomorphic-ws/browser.js');
    expect(output).not.toMatch(/require\(["'](ws|crypto|http|https|net|tls)["']\)/);
  });

  it('holds no code the browser never runs: a refused handshake\'s Retry-After is read only under ws', () => {
    expect(inputs).toContain('lib/client/refused-handshake.browser.ts');
    expect(inputs).not.toContain('lib/client/refused-handshake.ts');
    expect(output).not.toContain('unexpected-response');
  });

  it('takes only HMAC-SHA256 and hex from crypto-js', () => {
    const cryptoJs = inputs
      .filter((f) => f.startsWith('node_modules/crypto-js/'))
      .map((f) => path.basename(f))
      .sort();
    expect(cryptoJs.length).toBeGreaterThan(0);
    expect(cryptoJs.every((f) => ['core.js', 'enc-hex.js', 'hmac-sha256.js', 'hmac.js', 'sha256.js'].includes(f))).toBe(true);
  });
});

interface PageState {
  readonly status: string;
  readonly opens: number;
  readonly bestBid: number;
  readonly bestAsk: number;
  readonly bids: readonly [number, number][];
  readonly asks: readonly [number, number][];
  readonly error: string;
}

/** What the page shows, read from its data attributes; asks low→high like the book. */
function readPage(page: Page): Promise<PageState> {
  return page.evaluate(() => {
    const status = document.getElementById('status')!;
    const ladder = document.getElementById('ladder')!;
    const levels = (side: string): [number, number][] =>
      Array.from(document.querySelectorAll<HTMLElement>(`tr[data-side="${side}"]`)).map((tr) => [
        Number(tr.dataset.price),
        Number(tr.dataset.size),
      ]);
    return {
      status: status.dataset.status ?? '',
      opens: Number(status.dataset.opens),
      bestBid: Number(ladder.dataset.bestBid || NaN),
      bestAsk: Number(ladder.dataset.bestAsk || NaN),
      bids: levels('bid'),
      asks: levels('ask').reverse(),
      error: document.getElementById('error')!.dataset.error ?? '',
    };
  });
}

/** Polls until `check` passes; on timeout fails with the last thing it saw. */
async function eventually<T>(what: string, read: () => Promise<T>, check: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (check(last)) return last;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('example page in headless Chromium', () => {
  let sim: BitmexSimulator;
  let simUrl: string;
  let site: ExampleServer | undefined;
  let pageUrl: string;
  let browser: Browser | undefined;
  let page: Page;
  let outdir: string;
  const pageErrors: string[] = [];
  const scripts: string[] = [];

  /** The simulator's true top of book, in the page's shape. */
  function truthLadder(): { bids: [number, number][]; asks: [number, number][] } {
    const t = sim.truth(SYMBOL);
    const pick = (levels: readonly { price: number; size: number }[]) =>
      levels.slice(0, DEPTH).map((l): [number, number] => [l.price, l.size]);
    return { bids: pick(t.bids), asks: pick(t.asks) };
  }

  function matchesTruth(s: PageState): boolean {
    const t = truthLadder();
    return (
      s.status === 'open' &&
      s.bids.length === DEPTH &&
      s.bestBid === t.bids[0]?.[0] &&
      s.bestAsk === t.asks[0]?.[0] &&
      JSON.stringify(s.bids) === JSON.stringify(t.bids) &&
      JSON.stringify(s.asks) === JSON.stringify(t.asks)
    );
  }

  beforeAll(async () => {
    if (!HAVE_CHROMIUM) {
      if (ON_CI) throw new Error(`${CHROMIUM} is missing on CI: install Debian's chromium (see .ci/run)`);
      return;
    }
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bitmex-rxjs-page-'));
    await buildBrowserExample(outdir);
    site = await serveBrowserExample(outdir);

    sim = new BitmexSimulator({ tickMs: 20 });
    simUrl = (await sim.start()).url;
    pageUrl = `${site.url}?symbol=${SYMBOL}&depth=${DEPTH}&endpoint=${encodeURIComponent(simUrl)}`;

    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('request', (r) => {
      if (r.resourceType() === 'script') scripts.push(path.basename(new URL(r.url()).pathname));
    });
    page.on('response', (r) => {
      if (r.status() >= 400) pageErrors.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
    await page.goto(pageUrl);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await sim?.stop();
    await site?.close();
    if (outdir) fs.rmSync(outdir, { recursive: true, force: true });
  });

  inBrowser('shows the live ladder, then the true best bid/ask once the market stops', async () => {
    const first = await eventually('a first book', () => readPage(page), (s) => s.status === 'open' && s.bids.length === DEPTH);
    expect(first.asks).toHaveLength(DEPTH);
    // The timer market moves the page's ladder on its own.
    await eventually('the ladder to move', () => readPage(page), (s) => JSON.stringify([s.bids, s.asks]) !== JSON.stringify([first.bids, first.asks]));

    sim.stopTimer();
    const shown = await eventually('the ladder to equal the true book', () => readPage(page), matchesTruth);
    expect(shown.bestBid).toBeLessThan(shown.bestAsk);
    expect(shown.error).toBe('');
  }, 40_000);

  inBrowser('loads the grouped books and latency code on first use, and no signing code without keys', async () => {
    await eventually('the latency in the header', () => page.evaluate(() => document.getElementById('clock')!.textContent ?? ''), (t) => t.includes('latency'));
    expect(scripts[0]).toBe('main.js');
    // The page asks for a cumulative book and latency$: their chunks came after the page's own.
    expect(scripts.filter((f) => /^book-of-\w+\.js$/.test(f))).toHaveLength(1);
    expect(scripts.filter((f) => /^latency-\w+\.js$/.test(f))).toHaveLength(1);
    // The signing chunk is built, and never asked for.
    expect(fs.readdirSync(outdir).filter((f) => /^sign-\w+\.js$/.test(f))).toHaveLength(1);
    expect(scripts.filter((f) => /sign/.test(f))).toEqual([]);
  }, 40_000);

  inBrowser('goes back to open after every connection is dropped, and matches the truth again', async () => {
    const before = await readPage(page);
    expect(before.status).toBe('open');
    sim.dropAll({ abrupt: true });
    await eventually('a new open connection', () => readPage(page), (s) => s.opens > before.opens && s.status === 'open');

    // Move the market after the reconnect, so a stale image cannot pass.
    const truthBefore = JSON.stringify(truthLadder());
    for (let i = 0; i < 50 && JSON.stringify(truthLadder()) === truthBefore; i++) sim.step(10);
    expect(JSON.stringify(truthLadder())).not.toBe(truthBefore);

    const shown = await eventually('the ladder to equal the true book again', () => readPage(page), matchesTruth);
    expect(shown.error).toBe('');
    expect(pageErrors).toEqual([]);
  }, 40_000);

  /** The chart as the page's SVG data attributes say it is. */
  function readChart(p: Page): Promise<Record<string, string | undefined>> {
    return p.evaluate(() => ({ ...(document.getElementById('depth') as unknown as SVGSVGElement).dataset, group: document.getElementById('ladder')!.dataset.group }));
  }

  /** Extremes of a depth chart of the true book in buckets of `group`: price range and each side's total. */
  function truthChart(group: number): Record<string, string> {
    const t = sim.truth(SYMBOL);
    const side = (levels: readonly { price: number; size: number }[], bid: boolean) => {
      const sums = new Map<number, number>();
      for (const l of levels) {
        const b = (bid ? Math.floor(l.price / group) : Math.ceil(l.price / group)) * group;
        sums.set(b, (sums.get(b) ?? 0) + l.size);
      }
      const keys = [...sums.keys()].sort((a, b) => (bid ? b - a : a - b)).slice(0, DEPTH);
      return { edge: keys[keys.length - 1] as number, total: keys.reduce((n, k) => n + (sums.get(k) as number), 0), buckets: keys.length };
    };
    const bids = side(t.bids, true);
    const asks = side(t.asks, false);
    return {
      low: String(bids.edge), high: String(asks.edge), bidTotal: String(bids.total), askTotal: String(asks.total),
      bidBuckets: String(bids.buckets), askBuckets: String(asks.buckets), group: String(group),
    };
  }

  inBrowser('draws the depth chart of the book grouped by the selector, with the true book\'s extremes', async () => {
    await page.selectOption('#group', '5'); // XBTUSD's tick is 0.5: the selector offers 1, 5, 10, 50
    for (let i = 0; i < 5; i++) sim.step(10);
    const want = truthChart(5);
    const shown = await eventually('the chart to show the true grouped book', () => readChart(page), (c) => Object.entries(want).every(([k, v]) => c[k] === v));
    expect(Number(shown.low)).toBeLessThan(Number(shown.high));
    expect(pageErrors).toEqual([]);
  }, 40_000);
});

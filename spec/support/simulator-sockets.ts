/**
 * The fixture of the simulator's own specs (spec/testing): a plain `ws` client over real sockets
 * on 127.0.0.1, and a fresh simulator per test with the api keys of {@link authArgs}.
 */
import WebSocket from 'ws';
import { signRequest } from '../../lib/client/sign';
import { BitmexSimulator } from '../../lib/testing';

export const KEY = 'test-key';
export const SECRET = 'test-secret';

export type Json = Record<string, unknown>;

/** A plain client that records every frame and lets a test await the next ones. */
export class Client {
  readonly texts: string[] = [];
  private cursor = 0;
  private wake: (() => void) | undefined;
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (d: WebSocket.RawData) => {
      this.texts.push(d.toString());
      this.wake?.();
    });
    ws.on('close', (code: number, reason: Buffer) => {
      this.closed = { code, reason: reason.toString() };
      this.wake?.();
    });
    ws.on('error', () => undefined);
  }

  /** Connects and, unless `welcome` is false, consumes the welcome frame. */
  static async open(url: string, options: { headers?: Record<string, string>; welcome?: boolean } = {}): Promise<Client> {
    const ws = new WebSocket(url, { headers: options.headers });
    const c = new Client(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    if (options.welcome !== false) await c.next();
    return c;
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  /** Waits for something new (a frame or the close), at most `ms`. */
  private async changed(ms: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no frame within ${ms} ms; got ${JSON.stringify(this.texts.slice(-3))}`)), ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = undefined;
        resolve();
      };
    });
  }

  /** The next frame's text. */
  async next(ms = 5000): Promise<string> {
    while (this.cursor >= this.texts.length) {
      if (this.closed) throw new Error('closed');
      await this.changed(ms);
    }
    return this.texts[this.cursor++] as string;
  }

  /** The next frame, parsed. */
  async json(ms = 5000): Promise<Json> {
    return JSON.parse(await this.next(ms)) as Json;
  }

  /** The next `n` frames, parsed. */
  async jsons(n: number): Promise<Json[]> {
    const out: Json[] = [];
    for (let i = 0; i < n; i++) out.push(await this.json());
    return out;
  }

  /** Sends `ping` and returns every frame before its `pong` (the socket is ordered, so all sent so far). */
  async sync(): Promise<Json[]> {
    this.send('ping');
    const out: Json[] = [];
    for (;;) {
      const t = await this.next();
      if (t === 'pong') return out;
      out.push(JSON.parse(t) as Json);
    }
  }

  async waitClosed(ms = 5000): Promise<{ code: number; reason: string }> {
    while (!this.closed) await this.changed(ms);
    return this.closed;
  }

  /** True if nothing arrives within `ms` (used only to prove silence; never to assert speed). */
  async quietFor(ms: number): Promise<boolean> {
    const before = this.texts.length;
    await new Promise((r) => setTimeout(r, ms));
    return this.texts.length === before;
  }

  close(): void {
    this.ws.terminate();
  }
}

export function expiresIn(seconds: number): number {
  return Math.floor(Date.now() / 1000) + seconds;
}

export function authArgs(key = KEY, secret = SECRET, expires = expiresIn(60)): [string, number, string] {
  return [key, expires, signRequest(secret, 'GET', '/realtime', expires)];
}

// Live bindings, so that the tests of every file read `sim`, `url`… as they did in one file.
export let sim: BitmexSimulator;
export let url: string;
export let platformUrl: string;
export let httpUrl: string;
const clients: Client[] = [];

/** A client of this test's simulator, closed after the test. */
export async function connect(options?: Parameters<typeof Client.open>[1], to = url): Promise<Client> {
  const c = await Client.open(to, options);
  clients.push(c);
  return c;
}

/** Registers beforeEach/afterEach that start a simulator (seed 42, two api keys) around every test. */
export function useSimulatorSockets(): void {
  beforeEach(async () => {
    sim = new BitmexSimulator({ seed: 42, apiKeys: { [KEY]: SECRET, other: 'other-secret' } });
    ({ url, platformUrl, httpUrl } = await sim.start());
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await sim.stop();
  });
}

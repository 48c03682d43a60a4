/**
 * The request signature (valid until its expiry) never reaches errors$, however a server echoes
 * the auth request: in an error's meta or request, under another spelling of the op, or inside a
 * frame that cannot be parsed.
 */
import { collectErrors, waitFor } from '../support/helpers';
import { useSimulator } from '../support/simulator';

const KEY = 'leak-key';
const SECRET = 'leak-secret';

const fx = useSimulator({ apiKeys: { [KEY]: SECRET } });

/** Everything an error carries, as text: message, own fields, nested. */
function everything(e: unknown): string {
  return e instanceof Error ? JSON.stringify({ ...e, message: e.message, name: e.name }) : JSON.stringify(e);
}

it('no echo of the auth request puts its signature on errors$', async () => {
  const c = fx.client({ apiKey: KEY, apiSecret: SECRET });
  const errors = collectErrors(c);
  await c.connect();
  const auth = fx.sim.requests().find((r) => r.op === 'authKeyExpires');
  const args = auth?.args as [string, number, string];
  const signature = args[2];
  expect(signature).toMatch(/^[0-9a-f]{64}$/);
  const echoed = { op: 'authKeyExpires', args };
  const frames = [
    JSON.stringify({ status: 400, error: 'Something odd', meta: { request: echoed } }),
    JSON.stringify({ status: 401, error: 'Signature not valid.', meta: {}, request: { op: 'AuthKeyExpires', args } }),
    JSON.stringify({ status: 401, error: `Signature ${signature} not valid.`, meta: { note: signature.toUpperCase() }, request: { op: 'authkeyexpires', args } }),
    `{"status":401,"request":${JSON.stringify(echoed)},`, // malformed: FrameParseError.raw
    `${' '.repeat(150)}{"request":${JSON.stringify(echoed)}}}`, // signature across the 200-character cut
    JSON.stringify({ table: 'trade', action: 'upsert', data: [], echo: echoed }),
  ];
  for (const f of frames) fx.sim.sendRaw(f);
  await waitFor(() => errors.length >= frames.length, 5000, 'every frame reported');
  for (const e of errors) {
    const all = everything(e).toLowerCase();
    expect(all).not.toContain(signature);
    expect(all).not.toContain(signature.slice(0, 16));
  }
});

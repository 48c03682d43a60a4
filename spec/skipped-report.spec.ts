/**
 * A run that cannot do everything says so in its last lines: which tests did not run, why, and
 * the command that makes them run (spec/support/skipped-reporter.js). Shown with the browser
 * tests pointed at a Chromium that does not exist.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..');

it('ends a run without Chromium with the skipped browser tests, the reason and the install command', async () => {
  const jest = require.resolve('jest/bin/jest');
  const env = { ...process.env, CHROMIUM_PATH: path.join(ROOT, 'no-such-chromium'), CI: '' };
  const { stderr } = await run(process.execPath, [jest, '--ci', 'spec/browser.spec.ts'], { cwd: ROOT, env, timeout: 60_000 });
  const tail = stderr.trimEnd().split('\n').slice(-9);
  expect(tail).toEqual([
    'NOT EVERYTHING RAN',
    '4 tests of spec/browser.spec.ts did not run:',
    expect.stringMatching(/^ {2}- example page in headless Chromium shows the live ladder/),
    expect.stringMatching(/^ {2}- example page in headless Chromium loads the grouped books and latency code on first use/),
    expect.stringMatching(/^ {2}- example page in headless Chromium goes back to open after every connection is dropped/),
    expect.stringMatching(/^ {2}- example page in headless Chromium draws the depth chart/),
    `  why: no Chromium at ${path.join(ROOT, 'no-such-chromium')}`,
    expect.stringMatching(/^ {2}to run them: apt-get update && apt-get install -y chromium/),
    '!'.repeat(78),
  ]);
  expect(stderr).toMatch(/Tests: +4 skipped, \d+ passed, \d+ total/);
}, 60_000);

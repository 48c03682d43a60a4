/**
 * A table frame that cannot be used (a delta split into two WebSocket messages, an unknown
 * `action`, `data` not an array) was reported and skipped, and nothing more: the book stayed wrong
 * (size 10 where the server had 5) until some later frame contradicted it. Every live topic of
 * that table is now resynced (unsubscribe, subscribe, a fresh partial), backing off as any
 * resync does; a frame whose table cannot be told carries no rows, and is only reported.
 */
import { FrameParseError } from '../../lib';
import { LEVEL, liveBook, RESYNCED, SUBSCRIBED, useBookServer } from '../support/book-server';
import { waitFor } from '../support/helpers';
import { useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 1 }, { heartbeat: false });
const server = useBookServer();

const update = JSON.stringify({ table: 'orderBookL2', action: 'update', data: [LEVEL] });

it.each([
  ['a delta split into two WebSocket messages', [update.slice(0, 60), update.slice(60)], 2],
  ['an unknown action', [update.replace('"update"', '"upsert"')], 1],
  ['data that is not an array', [update.replace(/\[(.*)\]/, '$1')], 1],
])('%s: reported, and the table\'s live topic resynced to the server\'s truth', async (_, texts, reports) => {
  const { errors, sizes, c } = await liveBook(fx, server);
  server.size = 5;
  for (const text of texts) server.send(text);
  await waitFor(() => sizes.at(-1) === 5, 3000, 'the fresh partial');
  expect(server.requests).toEqual(RESYNCED);
  expect(errors).toHaveLength(reports);
  for (const e of errors) expect(e).toBeInstanceOf(FrameParseError);
  expect(c.storage.rows('orderBookL2')).toEqual([LEVEL]);
});

it('a flood of unusable frames resyncs once, not once each', async () => {
  const { errors, sizes } = await liveBook(fx, server);
  server.size = 5;
  for (let i = 0; i < 50; i++) server.send(update.replace('"update"', '"upsert"'));
  await waitFor(() => sizes.at(-1) === 5, 3000, 'the fresh partial');
  expect(errors).toHaveLength(50);
  expect(server.requests).toEqual(RESYNCED);
});

it('a frame whose table cannot be told is only reported: nothing is resynced, the next delta applies', async () => {
  const { errors, sizes, c } = await liveBook(fx, server);
  server.send(update.slice(60));
  server.send(update);
  await waitFor(() => sizes.at(-1) === 5, 3000, 'the update');
  expect(errors).toHaveLength(1);
  expect(errors[0]).toBeInstanceOf(FrameParseError);
  // A resync would have dropped the image and held the update back until a fresh partial.
  expect(c.storage.rows('orderBookL2')).toEqual([LEVEL]);
  expect(server.requests).toEqual(SUBSCRIBED);
});

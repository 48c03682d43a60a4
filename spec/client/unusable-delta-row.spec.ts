/**
 * A row of an insert, update or delete that cannot be used (no string symbol: it feeds no book)
 * was reported and skipped, and nothing more: the book missed that change until something later
 * contradicted it. Every live topic of its table is now resynced (with no string symbol, the row
 * may have been any of theirs), backing off as any resync does. A partial's row that is left out
 * (another symbol than its filter's, no symbol) is only reported: a resync would get the same
 * partial again. (A row that is not an object makes the session refuse its whole frame, which
 * resyncs too: see unusable-table-frame.spec.ts; guarded here as well.)
 */
import { FrameParseError } from '../../lib';
import { LEVEL, liveBook, RESYNCED, SUBSCRIBED, useBookServer } from '../support/book-server';
import { waitFor } from '../support/helpers';
import { useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 1 }, { heartbeat: false });
const server = useBookServer();

const WHOLE_RESYNCED = ['subscribe orderBookL2', 'unsubscribe orderBookL2', 'subscribe orderBookL2'];
const delta = (action: string, row: unknown): string => JSON.stringify({ table: 'orderBookL2', action, data: [row] });
const { symbol: _symbol, ...NO_SYMBOL } = LEVEL;

describe('a delta row that cannot be used resyncs the topics it may have concerned', () => {
  it.each([
    ['an update row without a symbol', delta('update', NO_SYMBOL), false],
    ['an insert row without a symbol', delta('insert', { ...NO_SYMBOL, id: 2, price: 99 }), false],
    ['a delete row without a symbol', delta('delete', NO_SYMBOL), false],
    ['an update row whose symbol is not a string', delta('update', { ...LEVEL, symbol: 42 }), false],
    ['an update row that is null', delta('update', null), false],
    ['an update row that is a number', delta('update', 7), false],
    ['an update row without a symbol while the whole table is live', delta('update', NO_SYMBOL), true],
  ])('%s: reported, and the table\'s live topic resynced to the server\'s truth', async (_, text, whole) => {
    const { errors, sizes, c } = await liveBook(fx, server, whole);
    const subscribed = whole ? ['subscribe orderBookL2'] : SUBSCRIBED;
    expect(server.requests).toEqual(subscribed);
    server.size = 5;
    server.send(text);
    await waitFor(() => sizes.at(-1) === 5, 3000, 'the fresh partial');
    expect(server.requests).toEqual(whole ? WHOLE_RESYNCED : RESYNCED);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(FrameParseError);
    expect(c.storage.rows('orderBookL2')).toEqual([{ ...LEVEL, size: 5 }]);
  });

  it('such a row between usable ones: reported once, and the book is the fresh partial\'s, not the rows\' around it', async () => {
    const { errors, sizes, c } = await liveBook(fx, server);
    server.size = 5;
    server.send(JSON.stringify({ table: 'orderBookL2', action: 'update', data: [{ ...LEVEL, size: 7 }, NO_SYMBOL, { ...LEVEL, size: 8 }] }));
    await waitFor(() => sizes.at(-1) === 5, 3000, 'the fresh partial');
    expect(server.requests).toEqual(RESYNCED);
    expect(errors).toHaveLength(1);
    expect(sizes).not.toContain(8);
    expect(c.storage.rows('orderBookL2')).toEqual([{ ...LEVEL, size: 5 }]);
  });

  it('a flood of such rows resyncs once, not once each', async () => {
    const { errors, sizes } = await liveBook(fx, server);
    server.size = 5;
    for (let i = 0; i < 50; i++) server.send(delta('update', NO_SYMBOL));
    await waitFor(() => sizes.at(-1) === 5, 3000, 'the fresh partial');
    await waitFor(() => errors.length === 50, 3000, 'every row reported');
    expect(server.requests).toEqual(RESYNCED);
  });
});

describe('a partial row that is left out is only reported', () => {
  it.each([
    ['a row of another symbol than its filter\'s', { symbol: 'ETHUSD', id: 7, side: 'Sell', size: 3, price: 200 }],
    ['a row without a symbol', { id: 7, side: 'Sell', size: 3, price: 200 }],
  ])('%s: nothing is resynced, the next delta applies', async (_, row) => {
    server.extraRows = [row];
    const { errors, sizes, c } = await liveBook(fx, server);
    server.send(delta('update', LEVEL));
    await waitFor(() => sizes.at(-1) === 5, 3000, 'the update');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(FrameParseError);
    // A resync would have dropped the image and held the update back until a fresh partial.
    expect(c.storage.rows('orderBookL2')).toEqual([LEVEL]);
    expect(server.requests).toEqual(SUBSCRIBED);
  });
});

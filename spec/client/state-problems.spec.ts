/**
 * What a reducer state says went wrong, as the client reports it: a partial whose `keys` name a
 * column its rows lack (a broken server) is an inconsistency with a readable key, resynced; its
 * rows were merged into one, silently.
 */
import { BitmexInconsistencyError, BitmexWebSocket, type Row } from '../../lib';
import { collectErrors, settle, waitFor } from '../support/helpers';
import { answerSuccess, useRawServer, welcome } from '../support/raw-server';

const raw = useRawServer((ws) => {
  ws.send(welcome());
  const partial = JSON.stringify({ table: 'instrument', action: 'partial', keys: ['instrumentID'], filter: {}, data: [{ symbol: 'A', p: 1 }, { symbol: 'B', p: 2 }] });
  return (req) => void answerSuccess(ws, req, () => partial);
});

let client: BitmexWebSocket | undefined;
afterEach(() => client?.close());

it('a partial whose keys its rows lack: reported with "(no usable key)", resynced, no row merged into another', async () => {
  client = new BitmexWebSocket({ endpoint: raw.url, heartbeat: false });
  const errors = collectErrors(client, BitmexInconsistencyError);
  const rows: Row[] = [];
  client.table$('instrument').subscribe((r) => rows.push(r));
  await waitFor(() => errors.length >= 2);
  expect(errors[0]?.message).toBe('partial with a row that cannot be stored (no usable key) in instrument; resubscribing');
  expect(errors[0]?.topic).toBe('instrument');
  await settle(50);
  expect(rows).toEqual([]);
  expect(client.storage.rows('instrument')).toEqual([]);
});

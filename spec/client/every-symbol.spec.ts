/**
 * BitMEX's topic `table:*` means every symbol: the symbol `'*'` follows every symbol (it matched
 * no row, silently), and a book, which is one symbol's, refuses it.
 */
import { bookOf$ } from '../../lib';
import { waitFor } from '../support/helpers';
import { useSimulator } from '../support/simulator';

const fx = useSimulator({ seed: 3 }, { heartbeat: false });

describe("the symbol '*' (BitMEX's every-symbol topic)", () => {
  it('table$ with * follows every symbol through the whole table; book$ with * throws', async () => {
    const c = fx.client();
    const symbols = new Set<string>();
    fx.keep(c.table$('instrument', '*').subscribe((r) => symbols.add(r.symbol)));
    await waitFor(() => symbols.size >= 2, 3000, 'rows of several symbols');
    expect(fx.sim.connections()[0]?.subscriptions).toEqual(['instrument']);
    expect(() => c.book$('*')).toThrow(TypeError);
    expect(() => c.book$('')).toThrow(TypeError);
    expect(() => bookOf$('*')).toThrow(TypeError);
  });
});

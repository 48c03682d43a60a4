/**
 * The simulator's catalogue of BitMEX tables: what each partial declares (`keys`, `types`, ...) and
 * which endpoint, authentication and symbol filter each one takes. Follows the reference's table
 * of keys; tables the simulator does not animate still answer with a correct, empty partial.
 * @module
 */
import { PLATFORM_TABLES, PRIVATE_TABLES, TABLE_KEYS, UNFILTERED_TABLES } from '../protocol/tables';

/** How one table is described in its partial and where it may be subscribed. */
export interface TableSchema {
  /** `keys` of the partial; `[]` for insert-only tables. */
  readonly keys: readonly string[];
  /** `types` of the partial. */
  readonly types: Readonly<Record<string, string>>;
  /** `foreignKeys`, sent only where captures show it. */
  readonly foreignKeys?: Readonly<Record<string, string>>;
  /** `attributes`, sent only where captures show it. */
  readonly attributes?: Readonly<Record<string, string>>;
  /** Whether `table:SYMBOL` is accepted. */
  readonly symbolFilter: boolean;
  /** Needs an authenticated connection; rows belong to one account. */
  readonly private: boolean;
  /** Lives on `/realtimePlatform` instead of `/realtime`. */
  readonly platform: boolean;
}

const L2_TYPES = { symbol: 'symbol', id: 'long', side: 'symbol', size: 'long', price: 'float', timestamp: 'timestamp', transactTime: 'timestamp' };
const BIN_TYPES = {
  timestamp: 'timestamp', symbol: 'symbol', open: 'float', high: 'float', low: 'float', close: 'float', trades: 'long',
  volume: 'long', vwap: 'float', lastSize: 'long', turnover: 'long', homeNotional: 'float', foreignNotional: 'float',
};
const QUOTE_TYPES = { timestamp: 'timestamp', symbol: 'symbol', bidSize: 'long', bidPrice: 'float', askPrice: 'float', askSize: 'long' };

type Described = Omit<TableSchema, 'keys' | 'symbolFilter' | 'private' | 'platform'>;

function schema(
  types: Record<string, string>,
  extra: { foreignKeys?: Record<string, string>; attributes?: Record<string, string> } = {},
): Described {
  return { types, ...extra };
}

// Keys, privacy, endpoint and symbol filter come from the library's catalogue (protocol/tables).
const RAW: Record<string, Described> = {
  instrument: schema({
    symbol: 'symbol', rootSymbol: 'symbol', state: 'symbol', typ: 'symbol', quoteCurrency: 'symbol', underlying: 'symbol',
    settlCurrency: 'symbol', tickSize: 'float', lotSize: 'long', multiplier: 'long', lastPrice: 'float',
    lastTickDirection: 'symbol', lastChangePcnt: 'float', prevClosePrice: 'float', bidPrice: 'float', midPrice: 'float',
    askPrice: 'float', markPrice: 'float', fairPrice: 'float', indicativeSettlePrice: 'float', markMethod: 'symbol',
    fundingRate: 'float', volume: 'long', volume24h: 'long', turnover: 'long', openInterest: 'long', timestamp: 'timestamp',
  }, { foreignKeys: { inverseLeg: 'instrument', quotedLeg: 'instrument', underlying: 'instrument' }, attributes: { symbol: 'unique' } }),
  orderBookL2: schema(L2_TYPES, { foreignKeys: { symbol: 'instrument', side: 'side' }, attributes: { symbol: 'parted', id: 'sorted' } }),
  orderBookL2_25: schema(L2_TYPES, { foreignKeys: { symbol: 'instrument', side: 'side' }, attributes: { symbol: 'parted', id: 'sorted' } }),
  orderBook10: schema({ symbol: 'symbol', bids: '', asks: '', timestamp: 'timestamp' }, { foreignKeys: { symbol: 'instrument' }, attributes: { symbol: 'sorted' } }),
  quote: schema(QUOTE_TYPES, { foreignKeys: { symbol: 'instrument' }, attributes: { timestamp: 'sorted', symbol: 'grouped' } }),
  trade: schema({
    timestamp: 'timestamp', symbol: 'symbol', side: 'symbol', size: 'long', price: 'float', tickDirection: 'symbol',
    trdMatchID: 'guid', grossValue: 'long', homeNotional: 'float', foreignNotional: 'float', trdType: 'symbol',
  }, { foreignKeys: { symbol: 'instrument', side: 'side' }, attributes: { timestamp: 'sorted', symbol: 'grouped' } }),
  tradeBin1m: schema(BIN_TYPES),
  tradeBin5m: schema(BIN_TYPES),
  tradeBin1h: schema(BIN_TYPES),
  tradeBin1d: schema(BIN_TYPES),
  quoteBin1m: schema(QUOTE_TYPES),
  quoteBin5m: schema(QUOTE_TYPES),
  quoteBin1h: schema(QUOTE_TYPES),
  quoteBin1d: schema(QUOTE_TYPES),
  funding: schema({
    timestamp: 'timestamp', symbol: 'symbol', fundingInterval: 'timespan', fundingRate: 'float', fundingRateDaily: 'float',
  }),
  settlement: schema({
    timestamp: 'timestamp', symbol: 'symbol', settlementType: 'symbol', settledPrice: 'float', bankrupt: 'long', taxBase: 'long',
  }),
  liquidation: schema({ orderID: 'guid', symbol: 'symbol', side: 'symbol', price: 'float', leavesQty: 'long' }),
  insurance: schema({ currency: 'symbol', timestamp: 'timestamp', walletBalance: 'long' }),
  funds: schema({ currency: 'symbol', timestamp: 'timestamp', walletBalance: 'long' }),
  connected: schema({ users: 'long', bots: 'long' }),
  announcement: schema({ id: 'long', link: 'string', title: 'string', content: 'string', date: 'timestamp' }),
  chat: schema({ id: 'long', date: 'timestamp', user: 'string', message: 'string', html: 'string', fromBot: 'boolean', channelID: 'long' }),
  publicNotifications: schema({ id: 'long', date: 'timestamp', title: 'string', body: 'string', ttl: 'long', type: 'symbol' }),
  order: schema({
    orderID: 'guid', clOrdID: 'string', clOrdLinkID: 'symbol', account: 'long', symbol: 'symbol', side: 'symbol',
    orderQty: 'long', price: 'float', displayQty: 'long', stopPx: 'float', pegOffsetValue: 'float', currency: 'symbol',
    settlCurrency: 'symbol', ordType: 'symbol', timeInForce: 'symbol', execInst: 'symbol', ordStatus: 'symbol',
    workingIndicator: 'boolean', ordRejReason: 'symbol', leavesQty: 'long', cumQty: 'long', avgPx: 'float', text: 'string',
    transactTime: 'timestamp', timestamp: 'timestamp',
  }, { foreignKeys: { symbol: 'instrument', side: 'side', ordStatus: 'ordStatus' }, attributes: { orderID: 'grouped', account: 'grouped', ordStatus: 'grouped', workingIndicator: 'grouped' } }),
  execution: schema({
    execID: 'guid', orderID: 'guid', clOrdID: 'string', account: 'long', symbol: 'symbol', side: 'symbol', lastQty: 'long',
    lastPx: 'float', lastLiquidityInd: 'symbol', orderQty: 'long', price: 'float', currency: 'symbol', settlCurrency: 'symbol',
    execType: 'symbol', ordType: 'symbol', timeInForce: 'symbol', ordStatus: 'symbol', leavesQty: 'long', cumQty: 'long',
    avgPx: 'float', commission: 'float', execCost: 'long', execComm: 'long', text: 'string', trdMatchID: 'guid',
    transactTime: 'timestamp', timestamp: 'timestamp',
  }, { foreignKeys: { symbol: 'instrument', side: 'side', ordStatus: 'ordStatus' }, attributes: { execID: 'grouped', account: 'grouped', execType: 'grouped', transactTime: 'sorted' } }),
  position: schema({
    account: 'long', symbol: 'symbol', currency: 'symbol', underlying: 'symbol', quoteCurrency: 'symbol', leverage: 'float',
    crossMargin: 'boolean', currentQty: 'long', currentCost: 'long', realisedPnl: 'long', unrealisedPnl: 'long',
    avgEntryPrice: 'float', markPrice: 'float', liquidationPrice: 'float', isOpen: 'boolean', timestamp: 'timestamp',
  }, { foreignKeys: { symbol: 'instrument' }, attributes: { account: 'sorted', symbol: 'grouped', currency: 'grouped' } }),
  margin: schema({
    account: 'long', currency: 'symbol', walletBalance: 'long', marginBalance: 'long', availableMargin: 'long',
    realisedPnl: 'long', unrealisedPnl: 'long', grossComm: 'long', timestamp: 'timestamp',
  }, { attributes: { account: 'sorted', currency: 'grouped' } }),
  wallet: schema({
    account: 'long', currency: 'symbol', amount: 'long', deposited: 'long', withdrawn: 'long', transferIn: 'long',
    transferOut: 'long', timestamp: 'timestamp',
  }, { attributes: { account: 'sorted', currency: 'grouped' } }),
  account: schema({ id: 'long', timestamp: 'timestamp' }),
  affiliate: schema({ account: 'long', currency: 'symbol', prevPayout: 'long', timestamp: 'timestamp' }),
  transact: schema({
    transactID: 'guid', account: 'long', currency: 'symbol', transactType: 'symbol', amount: 'long', transactStatus: 'symbol',
    timestamp: 'timestamp',
  }),
  privateNotifications: schema({ id: 'long', date: 'timestamp', title: 'string', body: 'string', ttl: 'long', type: 'symbol' }),
};

/** Every table the simulator knows, by name. Anything else is `Unknown table`. */
export const TABLE_SCHEMAS: ReadonlyMap<string, TableSchema> = new Map(
  Object.entries(RAW).map(([name, s]) => [
    name,
    {
      ...s,
      keys: TABLE_KEYS[name] ?? [],
      symbolFilter: !UNFILTERED_TABLES.has(name),
      private: PRIVATE_TABLES.has(name),
      platform: PLATFORM_TABLES.has(name),
    },
  ]),
);

/** The schema of a known table. */
export function schemaOf(table: string): TableSchema | undefined {
  return TABLE_SCHEMAS.get(table);
}

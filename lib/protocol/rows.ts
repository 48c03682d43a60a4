/**
 * Typed rows of the BitMEX realtime tables, as they reach you: whole rows (a partial's or an
 * insert's rows, and updates merged into the stored row). Every field is readonly (rows are
 * frozen once stored). The columns BitMEX sends in every row of a table are required; the others
 * are optional, because since 2023 BitMEX leaves out what is null (an empty book side in a
 * quote, the price of a market order…). An `update` frame itself is sparse, the keys and the
 * changed columns only: {@link UpdateRowOf}. Timestamps are ISO-8601 strings; amounts in XBt are
 * integer satoshis.
 * @module
 */
import type { Row } from './frames';

/** Any row of a table this file has no type for. */
export type GenericRow = Row;

/** One price level of `orderBookL2` / `orderBookL2_25` (keys: symbol, id, side). */
export interface OrderBookL2Row {
  readonly symbol: string;
  /** Level id; arbitrary since 2023 (not derived from the price). */
  readonly id: number;
  readonly side: 'Buy' | 'Sell';
  /** Absolute quantity at the level. (A delete frame's row carries none; the emitted row is the stored one.) */
  readonly size: number;
  /** On every row since 2023; older updates left it out, and the stored row keeps the price. */
  readonly price: number;
  readonly timestamp?: string;
  readonly transactTime?: string;
}

/** `[price, size]` pair of `orderBook10`. */
export type PriceSize = readonly [price: number, size: number];

/** `orderBook10`: the top 10 levels per side, resent whole on every change (key: symbol). */
export interface OrderBook10Row {
  readonly symbol: string;
  /** Best first (highest price). */
  readonly bids: readonly PriceSize[];
  /** Best first (lowest price). */
  readonly asks: readonly PriceSize[];
  readonly timestamp: string;
}

/** A trade (insert-only table). */
export interface Trade {
  readonly timestamp: string;
  readonly symbol: string;
  readonly side: 'Buy' | 'Sell';
  readonly size: number;
  readonly price: number;
  readonly tickDirection: 'PlusTick' | 'ZeroPlusTick' | 'MinusTick' | 'ZeroMinusTick';
  readonly trdMatchID: string;
  readonly grossValue: number;
  readonly homeNotional: number;
  readonly foreignNotional: number;
  readonly trdType?: string;
}

/** Best bid and offer (insert-only table); a side's columns are absent while it is empty. */
export interface Quote {
  readonly timestamp: string;
  readonly symbol: string;
  readonly bidSize?: number;
  readonly bidPrice?: number;
  readonly askPrice?: number;
  readonly askSize?: number;
}

/** An OHLCV bin of `tradeBin1m`, `tradeBin5m`, `tradeBin1h`, `tradeBin1d`. */
export interface TradeBin {
  readonly timestamp: string;
  readonly symbol: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly trades: number;
  readonly volume: number;
  readonly vwap?: number;
  readonly lastSize?: number;
  readonly turnover?: number;
  readonly homeNotional?: number;
  readonly foreignNotional?: number;
}

/** An instrument (key: symbol). Only the commonly used fields are listed; others pass through. */
export interface Instrument {
  readonly symbol: string;
  readonly rootSymbol: string;
  readonly state: string;
  readonly typ: string;
  readonly listing?: string;
  readonly expiry?: string;
  readonly underlying?: string;
  readonly quoteCurrency?: string;
  readonly settlCurrency?: string;
  readonly tickSize: number;
  readonly lotSize?: number;
  readonly multiplier?: number;
  readonly isInverse?: boolean;
  readonly makerFee?: number;
  readonly takerFee?: number;
  readonly fundingRate?: number;
  readonly indicativeFundingRate?: number;
  readonly fundingTimestamp?: string;
  readonly prevClosePrice?: number;
  readonly highPrice?: number;
  readonly lowPrice?: number;
  readonly lastPrice?: number;
  readonly lastTickDirection?: string;
  readonly lastChangePcnt?: number;
  readonly bidPrice?: number;
  readonly midPrice?: number;
  readonly askPrice?: number;
  readonly impactBidPrice?: number;
  readonly impactMidPrice?: number;
  readonly impactAskPrice?: number;
  readonly volume?: number;
  readonly volume24h?: number;
  readonly turnover?: number;
  readonly turnover24h?: number;
  readonly openInterest?: number;
  readonly openValue?: number;
  readonly markMethod?: string;
  readonly markPrice?: number;
  readonly indicativeSettlePrice?: number;
  readonly fairPrice?: number;
  readonly timestamp: string;
  readonly [field: string]: unknown;
}

/** An order of the account (key: orderID). `leavesQty` 0 means closed. */
export interface Order {
  readonly orderID: string;
  readonly clOrdID?: string;
  readonly clOrdLinkID?: string;
  readonly account: number;
  readonly symbol: string;
  readonly side: 'Buy' | 'Sell';
  readonly orderQty: number;
  readonly price?: number;
  readonly displayQty?: number;
  readonly stopPx?: number;
  readonly pegOffsetValue?: number;
  readonly pegPriceType?: string;
  readonly currency: string;
  readonly settlCurrency: string;
  readonly ordType: string;
  readonly timeInForce: string;
  readonly execInst?: string;
  readonly ordStatus: string;
  readonly triggered?: string;
  readonly workingIndicator: boolean;
  readonly ordRejReason?: string;
  readonly leavesQty: number;
  readonly cumQty: number;
  readonly avgPx?: number;
  readonly text?: string;
  readonly transactTime: string;
  readonly timestamp: string;
}

/** An execution of the account (key: execID); `lastQty`/`lastPx` only for fills, `side` absent for funding. */
export interface Execution {
  readonly execID: string;
  readonly orderID: string;
  readonly clOrdID?: string;
  readonly account: number;
  readonly symbol: string;
  readonly side?: 'Buy' | 'Sell';
  readonly lastQty?: number;
  readonly lastPx?: number;
  readonly orderQty?: number;
  readonly price?: number;
  readonly execType: string;
  readonly ordType?: string;
  readonly ordStatus?: string;
  readonly leavesQty?: number;
  readonly cumQty?: number;
  readonly avgPx?: number;
  readonly commission?: number;
  readonly execComm?: number;
  readonly execCost?: number;
  readonly lastLiquidityInd?: string;
  readonly trdMatchID?: string;
  readonly text?: string;
  readonly transactTime: string;
  readonly timestamp: string;
}

/** A position of the account (keys: account, symbol). */
export interface Position {
  readonly account: number;
  readonly symbol: string;
  readonly currency: string;
  readonly underlying: string;
  readonly quoteCurrency: string;
  readonly leverage: number;
  readonly crossMargin: boolean;
  readonly currentQty: number;
  readonly currentCost: number;
  readonly isOpen: boolean;
  readonly markPrice?: number;
  readonly markValue?: number;
  readonly homeNotional?: number;
  readonly foreignNotional?: number;
  readonly posCost?: number;
  readonly posMargin?: number;
  readonly maintMargin?: number;
  readonly realisedPnl: number;
  readonly unrealisedPnl: number;
  readonly unrealisedPnlPcnt?: number;
  readonly unrealisedRoePcnt?: number;
  readonly avgCostPrice?: number;
  readonly avgEntryPrice?: number;
  readonly breakEvenPrice?: number;
  readonly liquidationPrice?: number;
  readonly bankruptPrice?: number;
  readonly lastPrice?: number;
  readonly timestamp: string;
}

/** Margin of the account (key: account; newer: account, currency). */
export interface Margin {
  readonly account: number;
  readonly currency: string;
  readonly riskLimit?: number;
  readonly amount?: number;
  readonly realisedPnl?: number;
  readonly unrealisedPnl?: number;
  readonly grossComm?: number;
  readonly grossOpenCost?: number;
  readonly grossOpenPremium?: number;
  readonly grossExecCost?: number;
  readonly grossMarkValue?: number;
  readonly riskValue?: number;
  readonly initMargin?: number;
  readonly maintMargin?: number;
  readonly targetExcessMargin?: number;
  readonly marginBalance: number;
  readonly marginLeverage?: number;
  readonly marginUsedPcnt?: number;
  readonly excessMargin?: number;
  readonly availableMargin: number;
  readonly withdrawableMargin?: number;
  readonly walletBalance: number;
  readonly timestamp: string;
}

/** Wallet of the account (keys: account, currency). */
export interface Wallet {
  readonly account: number;
  readonly currency: string;
  readonly deposited?: number;
  readonly withdrawn?: number;
  readonly transferIn?: number;
  readonly transferOut?: number;
  readonly amount: number;
  readonly pendingCredit?: number;
  readonly pendingDebit?: number;
  readonly confirmedDebit?: number;
  readonly timestamp: string;
}

/** A funding event (keys: timestamp, symbol). */
export interface Funding {
  readonly timestamp: string;
  readonly symbol: string;
  readonly fundingInterval: string;
  readonly fundingRate: number;
  readonly fundingRateDaily: number;
}

/** A liquidation order in the market (key: orderID). */
export interface Liquidation {
  readonly orderID: string;
  readonly symbol: string;
  readonly side: 'Buy' | 'Sell';
  readonly price: number;
  readonly leavesQty: number;
}

/** A settlement (keys: timestamp, symbol). */
export interface Settlement {
  readonly timestamp: string;
  readonly symbol: string;
  readonly settlementType: string;
  readonly settledPrice?: number;
  readonly optionStrikePrice?: number;
  readonly optionUnderlyingPrice?: number;
  readonly bankrupt?: number;
  readonly taxBase?: number;
  readonly taxRate?: number;
}

/** Insurance fund balance (keys: currency, timestamp). */
export interface Insurance {
  readonly currency: string;
  readonly timestamp: string;
  readonly walletBalance: number;
}

/** A site announcement (key: id; platform endpoint). */
export interface Announcement {
  readonly id: number;
  readonly link: string;
  readonly title: string;
  readonly content: string;
  readonly date: string;
}

/** A trollbox message (key: id; platform endpoint; filtered by `channelID`). */
export interface Chat {
  readonly id: number;
  readonly date: string;
  readonly user: string;
  readonly message: string;
  readonly html: string;
  readonly fromBot: boolean;
  readonly channelID: number;
}

/** A wallet transaction of the account (key: transactID). */
export interface Transact {
  readonly transactID: string;
  readonly account: number;
  readonly currency: string;
  readonly transactType: string;
  readonly amount: number;
  readonly fee?: number;
  readonly transactStatus: string;
  readonly address?: string;
  readonly tx?: string;
  readonly text?: string;
  readonly transactTime?: string;
  readonly timestamp: string;
}

/** Table name → row type. */
export interface TableRowMap {
  orderBookL2: OrderBookL2Row;
  orderBookL2_25: OrderBookL2Row;
  orderBook10: OrderBook10Row;
  trade: Trade;
  quote: Quote;
  tradeBin1m: TradeBin;
  tradeBin5m: TradeBin;
  tradeBin1h: TradeBin;
  tradeBin1d: TradeBin;
  instrument: Instrument;
  order: Order;
  execution: Execution;
  position: Position;
  margin: Margin;
  wallet: Wallet;
  funding: Funding;
  liquidation: Liquidation;
  settlement: Settlement;
  insurance: Insurance;
  announcement: Announcement;
  chat: Chat;
  transact: Transact;
}

/** The row type of table `T`; {@link GenericRow} for tables not in {@link TableRowMap}. */
export type RowOf<T extends string> = T extends keyof TableRowMap ? TableRowMap[T] : GenericRow;

/** A row of an `update` frame of a table with keys `K`: the keys, then only the columns that changed. */
export type SparseRow<R, K extends keyof R> = Pick<R, K> & Partial<Omit<R, K>>;

/** Table name → the row type of its `update` frames (sparse; insert-only tables have none). */
export interface TableUpdateRowMap {
  orderBookL2: SparseRow<OrderBookL2Row, 'symbol' | 'id' | 'side'>;
  orderBookL2_25: SparseRow<OrderBookL2Row, 'symbol' | 'id' | 'side'>;
  /** Resent whole on every change. */
  orderBook10: OrderBook10Row;
  instrument: SparseRow<Instrument, 'symbol'>;
  order: SparseRow<Order, 'orderID'>;
  execution: SparseRow<Execution, 'execID'>;
  position: SparseRow<Position, 'account' | 'symbol'>;
  margin: SparseRow<Margin, 'account' | 'currency'>;
  wallet: SparseRow<Wallet, 'account' | 'currency'>;
  funding: SparseRow<Funding, 'timestamp' | 'symbol'>;
  liquidation: SparseRow<Liquidation, 'orderID'>;
  settlement: SparseRow<Settlement, 'timestamp' | 'symbol'>;
  insurance: SparseRow<Insurance, 'currency' | 'timestamp'>;
  announcement: SparseRow<Announcement, 'id'>;
  chat: SparseRow<Chat, 'id'>;
  transact: SparseRow<Transact, 'transactID'>;
}

/**
 * The row type of an `update` frame of table `T`, as BitMEX sends it (e.g. in frames read from
 * `bitmex.ws` or a recording); {@link GenericRow} for other tables. What `table$` and
 * `changes$` emit for an update is the merged, whole {@link RowOf} row.
 */
export type UpdateRowOf<T extends string> = T extends keyof TableUpdateRowMap ? TableUpdateRowMap[T] : GenericRow;

/**
 * The assets CryptoVault lists and trades against USD. Ids are CoinCap slugs. Precisions are decimal places:
 * amounts of the asset, and USD prices. The market module adds simulation parameters; the trading module derives
 * its pairs (`BTC/USD`, ...) from this list.
 */
export interface AssetInfo {
  id: string;
  symbol: string;
  name: string;
  amountPrecision: number;
  pricePrecision: number;
  /** Smallest order amount in the asset. */
  minAmount: string;
}

export const QUOTE_ASSET = 'USD';
/** USD balances are kept to the cent... with headroom: fees and average costs use more places internally. */
export const USD_PRECISION = 2;

export const ASSETS: readonly AssetInfo[] = [
  { id: 'bitcoin', symbol: 'BTC', name: 'Bitcoin', amountPrecision: 8, pricePrecision: 2, minAmount: '0.00001' },
  { id: 'ethereum', symbol: 'ETH', name: 'Ethereum', amountPrecision: 8, pricePrecision: 2, minAmount: '0.0001' },
  { id: 'tether', symbol: 'USDT', name: 'Tether', amountPrecision: 6, pricePrecision: 4, minAmount: '1' },
  { id: 'binance-coin', symbol: 'BNB', name: 'BNB', amountPrecision: 8, pricePrecision: 2, minAmount: '0.001' },
  { id: 'solana', symbol: 'SOL', name: 'Solana', amountPrecision: 8, pricePrecision: 2, minAmount: '0.01' },
  { id: 'usd-coin', symbol: 'USDC', name: 'USDC', amountPrecision: 6, pricePrecision: 4, minAmount: '1' },
  { id: 'xrp', symbol: 'XRP', name: 'XRP', amountPrecision: 6, pricePrecision: 4, minAmount: '1' },
  { id: 'dogecoin', symbol: 'DOGE', name: 'Dogecoin', amountPrecision: 8, pricePrecision: 5, minAmount: '10' },
  { id: 'cardano', symbol: 'ADA', name: 'Cardano', amountPrecision: 6, pricePrecision: 4, minAmount: '1' },
  { id: 'tron', symbol: 'TRX', name: 'TRON', amountPrecision: 6, pricePrecision: 5, minAmount: '10' },
  { id: 'avalanche', symbol: 'AVAX', name: 'Avalanche', amountPrecision: 8, pricePrecision: 2, minAmount: '0.01' },
  { id: 'chainlink', symbol: 'LINK', name: 'Chainlink', amountPrecision: 8, pricePrecision: 3, minAmount: '0.1' },
  { id: 'polkadot', symbol: 'DOT', name: 'Polkadot', amountPrecision: 8, pricePrecision: 3, minAmount: '0.1' },
  { id: 'litecoin', symbol: 'LTC', name: 'Litecoin', amountPrecision: 8, pricePrecision: 2, minAmount: '0.001' },
  { id: 'bitcoin-cash', symbol: 'BCH', name: 'Bitcoin Cash', amountPrecision: 8, pricePrecision: 2, minAmount: '0.001' },
  { id: 'stellar', symbol: 'XLM', name: 'Stellar', amountPrecision: 6, pricePrecision: 5, minAmount: '10' },
  { id: 'uniswap', symbol: 'UNI', name: 'Uniswap', amountPrecision: 8, pricePrecision: 3, minAmount: '0.1' },
  { id: 'polygon', symbol: 'POL', name: 'Polygon', amountPrecision: 8, pricePrecision: 4, minAmount: '1' },
  { id: 'near-protocol', symbol: 'NEAR', name: 'NEAR Protocol', amountPrecision: 8, pricePrecision: 3, minAmount: '0.1' },
  { id: 'aave', symbol: 'AAVE', name: 'Aave', amountPrecision: 8, pricePrecision: 2, minAmount: '0.001' },
];

const byKey = new Map<string, AssetInfo>();
for (const a of ASSETS) {
  byKey.set(a.id, a);
  byKey.set(a.symbol.toLowerCase(), a);
}

/** By id (`bitcoin`) or symbol (`BTC`, any case). */
export function findAsset(idOrSymbol: string): AssetInfo | undefined {
  return byKey.get(idOrSymbol.toLowerCase());
}

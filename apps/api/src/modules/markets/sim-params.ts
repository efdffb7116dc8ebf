/**
 * Parameters of the simulated market, keyed by the catalog's asset ids. Start prices, supplies and maximum supplies
 * are close to the real assets' late-2025 figures; `volatility` is annualised (σ of log returns); `turnover` is the
 * daily traded fraction of the market cap, for a plausible 24 h volume.
 */
export interface SimParams {
  startPrice: number;
  volatility: number;
  supply: string;
  maxSupply: string | null;
  turnover: number;
}

export const SIM_PARAMS: Readonly<Record<string, SimParams>> = {
  bitcoin: { startPrice: 95_000, volatility: 0.55, supply: '19900000', maxSupply: '21000000', turnover: 0.025 },
  ethereum: { startPrice: 3_400, volatility: 0.7, supply: '120700000', maxSupply: null, turnover: 0.06 },
  tether: { startPrice: 1, volatility: 0.004, supply: '160000000000', maxSupply: null, turnover: 0.4 },
  'binance-coin': { startPrice: 680, volatility: 0.5, supply: '139300000', maxSupply: '200000000', turnover: 0.02 },
  solana: { startPrice: 180, volatility: 0.85, supply: '520000000', maxSupply: null, turnover: 0.05 },
  'usd-coin': { startPrice: 1, volatility: 0.004, supply: '75000000000', maxSupply: null, turnover: 0.12 },
  xrp: { startPrice: 2.4, volatility: 0.8, supply: '59000000000', maxSupply: '100000000000', turnover: 0.04 },
  dogecoin: { startPrice: 0.25, volatility: 0.9, supply: '150000000000', maxSupply: null, turnover: 0.05 },
  cardano: { startPrice: 0.8, volatility: 0.8, supply: '36000000000', maxSupply: '45000000000', turnover: 0.03 },
  tron: { startPrice: 0.27, volatility: 0.55, supply: '95000000000', maxSupply: null, turnover: 0.03 },
  avalanche: { startPrice: 30, volatility: 0.85, supply: '420000000', maxSupply: '720000000', turnover: 0.04 },
  chainlink: { startPrice: 18, volatility: 0.85, supply: '660000000', maxSupply: '1000000000', turnover: 0.05 },
  polkadot: { startPrice: 5.5, volatility: 0.8, supply: '1550000000', maxSupply: null, turnover: 0.04 },
  litecoin: { startPrice: 100, volatility: 0.7, supply: '76000000', maxSupply: '84000000', turnover: 0.06 },
  'bitcoin-cash': { startPrice: 450, volatility: 0.7, supply: '19900000', maxSupply: '21000000', turnover: 0.04 },
  stellar: { startPrice: 0.35, volatility: 0.75, supply: '31000000000', maxSupply: '50000000000', turnover: 0.03 },
  uniswap: { startPrice: 10, volatility: 0.9, supply: '630000000', maxSupply: '1000000000', turnover: 0.05 },
  polygon: { startPrice: 0.3, volatility: 0.85, supply: '10500000000', maxSupply: null, turnover: 0.04 },
  'near-protocol': { startPrice: 3.5, volatility: 0.9, supply: '1250000000', maxSupply: null, turnover: 0.05 },
  aave: { startPrice: 280, volatility: 0.9, supply: '15100000', maxSupply: '16000000', turnover: 0.08 },
};

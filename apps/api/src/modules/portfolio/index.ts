/** The portfolio module's public surface. */
export { portfolioHistory } from './portfolio.history.ts';
export { getPortfolio } from './portfolio.service.ts';

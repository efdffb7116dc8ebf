// Vercel runs this at build time (programmatic configuration, in place of a static vercel.json). The API origin
// comes from the project's API_ORIGIN variable; the build fails with a clear message when it is missing.
import { vercelConfig } from './scripts/vercel-config.mjs';

export const config = vercelConfig(process.env);
export default config;

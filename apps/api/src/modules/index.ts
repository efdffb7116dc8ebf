import { authModule } from './auth/auth.routes.ts';
import { devModule } from './dev/dev.routes.ts';
import { marketsModule } from './markets/markets.routes.ts';
import { opsModule } from './ops/ops.routes.ts';
import type { AppModule } from './types.ts';

/** Every domain module, in registration order. */
export const modules: AppModule[] = [opsModule, marketsModule, authModule, devModule];

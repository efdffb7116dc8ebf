import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkImports } from '../../../../scripts/lib/import-rules.mjs';

// The rules of scripts/lib/import-rules.mjs (run over the repository by `npm run deps:check`, part of `npm test`),
// on two small trees laid out like the repository: one that keeps every rule, one that breaks each of them.
const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

describe('import rules (dependency-cruiser)', () => {
  it('pass a tree whose modules import each other through their entry files', async () => {
    const { violations, cruised } = await checkImports({ baseDir: join(fixtures, 'clean') });
    expect(cruised).toBe(8);
    expect(violations).toEqual([]);
  });

  it("fail a module reaching into another module's repo, and every other broken rule", async () => {
    const { violations } = await checkImports({ baseDir: join(fixtures, 'broken') });
    expect(violations.sort()).toEqual([
      'entry-exports-no-tables: apps/api/src/modules/wallet/index.ts → apps/api/src/modules/wallet/wallet.schema.ts',
      'module-through-entry-only: apps/api/src/modules/orders/orders.service.ts → apps/api/src/modules/wallet/wallet.repo.ts',
      'module-through-entry-only: apps/api/src/modules/orders/orders.service.ts → apps/api/src/modules/wallet/wallet.schema.ts',
      'no-foreign-repo-or-tables: apps/api/src/modules/orders/orders.service.ts → apps/api/src/modules/wallet/wallet.repo.ts',
      'no-foreign-repo-or-tables: apps/api/src/modules/orders/orders.service.ts → apps/api/src/modules/wallet/wallet.schema.ts',
      'platform-imports-no-app-code: apps/api/src/platform/db.ts → apps/api/src/modules/wallet/index.ts',
      'web-features-import-no-app: apps/web/src/features/trade/Trade.ts → apps/web/src/app/App.ts',
      'web-shared-imports-no-features-or-app: apps/web/src/lib/api.ts → apps/web/src/app/App.ts',
    ]);
  });
});

import type { AntiPhishingState } from '@cryptovault/contract';
import type { Platform } from '../../platform/index.ts';
import { sendInBackground } from '../../platform/mailer/mailer.ts';
import type { Principal } from '../../platform/principal.ts';
import { findUserById, type RequestContext } from '../auth/index.ts';
import { audit, origin } from './address-book.service.ts';
import * as repo from './security.repo.ts';
import { antiPhishingChangedEmail } from './security.emails.ts';

export async function getAntiPhishing(platform: Pick<Platform, 'database'>, userId: string): Promise<AntiPhishingState> {
  return { code: (await repo.getSettings(platform.database.db, userId)).antiPhishingCode };
}

/**
 * Sets (or clears, null) the code shown at the top of every email to this user. The route asks for a step-up, so
 * a stolen session cannot set a code of its own choosing for its phishing emails. The confirmation email already
 * carries the new code. The audit record says that it changed, not what it is.
 */
export async function setAntiPhishing(
  platform: Pick<Platform, 'database' | 'log' | 'mailer'>,
  p: Principal,
  code: string | null,
  ctx: RequestContext,
): Promise<AntiPhishingState> {
  await platform.database.db.transaction(async (tx) => {
    await repo.lockUserSettings(tx, p.userId);
    await repo.updateSettings(tx, p.userId, { antiPhishingCode: code });
    await audit(
      tx,
      p.userId,
      code ? 'security.anti_phishing.set' : 'security.anti_phishing.clear',
      ctx,
      {},
      { kind: code ? 'anti_phishing_set' : 'anti_phishing_cleared' },
    );
  });
  const user = await findUserById(platform.database.db, p.userId);
  if (user) sendInBackground(platform.mailer, platform.log, antiPhishingChangedEmail(user.email, code !== null, origin(ctx)), 'anti-phishing');
  return { code };
}

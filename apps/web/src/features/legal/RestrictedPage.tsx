import { Link } from 'react-router';
import { useAuth } from '../../shared/auth.ts';
import { useGeo } from './api.ts';
import { LegalNav } from './LegalPage.tsx';

/** `/restricted`: why sign-up, deposits, buying and transfers are refused here (451 COUNTRY_BLOCKED). */
export default function RestrictedPage() {
  const geo = useGeo();
  const { user } = useAuth();
  const country = geo.data?.country;
  return (
    <article className="legal-page" data-testid="restricted-page">
      <h1>CryptoVault is not available in your country</h1>
      <p>
        {country ? (
          <>
            Your connection appears to come from <strong>{regionName(country)}</strong>, where we do not offer our service.
          </>
        ) : (
          'Your connection appears to come from a country where we do not offer our service.'
        )}{' '}
        We cannot open new accounts, take deposits, or accept purchases and transfers from there.
      </p>
      <h2>If you already have an account</h2>
      <p>
        Your funds stay yours. You can still sign in, see your balances and history, sell what you hold, cancel open orders and withdraw to your own wallet.{' '}
        {user ? (
          <>
            Go to your <Link to="/wallet">wallet</Link>.
          </>
        ) : (
          <>
            <Link to="/login">Log in</Link> to do so.
          </>
        )}
      </p>
      <h2>Why</h2>
      <p>
        We follow the laws and sanctions that apply to us, which do not allow us to serve some countries. We decide from the country our network provider
        reports for your connection; using a VPN or proxy to get around this breaks our <Link to="/legal/terms">Terms of Service</Link>.
      </p>
      <p className="muted small">If you think this is a mistake (for example, you are travelling), contact support@cryptovault.financial.</p>
      <LegalNav />
    </article>
  );
}

function regionName(code: string): string {
  try {
    return new Intl.DisplayNames(undefined, { type: 'region' }).of(code) ?? code;
  } catch {
    return code;
  }
}

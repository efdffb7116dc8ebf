import { Suspense, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { Link, NavLink, Outlet, useLocation } from 'react-router';
import { NotificationBell } from '../features/notifications/NotificationBell.tsx';
import { FrozenBanner } from '../features/security/FrozenBanner.tsx';
import { TermsPrompt } from '../features/legal/TermsPrompt.tsx';
import { useSocketStatus } from '../shared/market.ts';
import { Loading } from '../ui/states.tsx';
import { useAuth } from '../shared/auth.ts';
import { ConnectionBanner } from './ConnectionBanner.tsx';
import { RealtimeBridge } from './RealtimeBridge.tsx';
import { TabBar } from './TabBar.tsx';
import { useServices } from '../shared/services.ts';

const PUBLIC_LINKS = [{ to: '/markets', label: 'Markets' }];
const USER_LINKS = [
  { to: '/dashboard', label: 'Dashboard' },
  { to: '/markets', label: 'Markets' },
  { to: '/trade', label: 'Trade' },
  { to: '/wallet', label: 'Wallet' },
  { to: '/transactions', label: 'History' },
  { to: '/alerts', label: 'Alerts' },
];

function useDelayed<T>(value: T, ms: number, when: (v: T) => boolean): boolean {
  const [on, setOn] = useState(false);
  useEffect(() => {
    if (!when(value)) {
      setOn(false);
      return;
    }
    const t = setTimeout(() => setOn(true), ms);
    return () => clearTimeout(t);
  }, [value, ms, when]);
  return on;
}

const isDown = (s: string) => s === 'disconnected';

const TITLES: [RegExp, string][] = [
  [/^\/markets\/.+/, 'Asset'],
  [/^\/markets/, 'Markets'],
  [/^\/signup/, 'Sign up'],
  [/^\/verify/, 'Verify email'],
  [/^\/login/, 'Log in'],
  [/^\/forgot-password/, 'Forgot password'],
  [/^\/reset-password/, 'Reset password'],
  [/^\/freeze/, "This wasn't me"],
  [/^\/unfreeze/, 'Unfreeze'],
  [/^\/withdrawal-address\/confirm/, 'Confirm address'],
  [/^\/dashboard/, 'Dashboard'],
  [/^\/trade/, 'Trade'],
  [/^\/wallet/, 'Wallet'],
  [/^\/transactions/, 'History'],
  [/^\/orders\//, 'Order'],
  [/^\/deposits\//, 'Deposit'],
  [/^\/withdrawals\//, 'Withdrawal'],
  [/^\/transfers\//, 'Transfer'],
  [/^\/alerts/, 'Alerts'],
  [/^\/recurring-buys/, 'Recurring buys'],
  [/^\/notifications/, 'Notifications'],
  [/^\/settings/, 'Settings'],
  [/^\/security/, 'Security'],
  [/^\/verification/, 'Verification'],
  [/^\/admin/, 'Admin'],
  [/^\/proof-of-liabilities/, 'Proof of liabilities'],
  [/^\/legal\/terms/, 'Terms of Service'],
  [/^\/legal\/privacy/, 'Privacy Notice'],
  [/^\/legal\/risk/, 'Risk Disclosure'],
  [/^\/fees/, 'Fees'],
  [/^\/restricted/, 'Not available in your country'],
  [/^\/support/, 'Support'],
  [/^\/contact/, 'Contact us'],
];

/** Client-side navigation is silent for screen readers: name the page and move focus to its content. */
function useRouteAnnouncement() {
  const { pathname } = useLocation();
  const last = useRef<string | null>(null);
  useEffect(() => {
    const title = TITLES.find(([re]) => re.test(pathname))?.[1];
    document.title = title ? `${title} · CryptoVault` : 'CryptoVault';
    if (last.current !== null && last.current !== pathname) document.getElementById('main')?.focus();
    last.current = pathname;
  }, [pathname]);
}

export function Layout() {
  const { user, logout } = useAuth();
  const { health, config } = useServices();
  const healthState = useSyncExternalStore(health.subscribe, health.state);
  const socket = useSocketStatus();
  // A socket blip of a second or two is not worth a banner.
  const socketDown = useDelayed(socket, 4_000, isDown);
  const [menuOpen, setMenuOpen] = useState(false);
  useRouteAnnouncement();
  useEffect(() => {
    health.start();
    return () => health.stop();
  }, [health]);

  const links = user ? [...USER_LINKS, ...(user.role === 'admin' ? [{ to: '/admin', label: 'Admin' }] : [])] : PUBLIC_LINKS;
  // The phone tab bar shows Dashboard, Markets, Trade and Wallet; "More" holds the rest.
  const moreLinks = [
    ...links.filter((l) => !['/dashboard', '/markets', '/trade', '/wallet'].includes(l.to)),
    ...(user ? [{ to: '/recurring-buys', label: 'Recurring buys' }] : []),
    { to: '/notifications', label: 'Notifications' },
    { to: '/settings', label: 'Settings' },
    { to: '/security', label: 'Security' },
    { to: '/verification', label: 'Verification' },
    { to: '/support', label: 'Support' },
  ];
  const navLinks = links.map((l) => (
    <NavLink key={l.to} to={l.to}>
      {l.label}
    </NavLink>
  ));

  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <RealtimeBridge />
      <header className="app-header">
        <div className="app-header-inner">
          <Link to={user ? '/dashboard' : '/'} className="brand" aria-label="CryptoVault home">
            <span className="brand-mark" aria-hidden="true" />
            CryptoVault
          </Link>
          <nav className="nav" aria-label="Main">
            {navLinks}
          </nav>
          <div className="header-actions">
            {user ? (
              <>
                <NotificationBell />
                <Link to="/verification" className="btn btn-ghost btn-sm hide-sm">
                  Verification
                </Link>
                <Link to="/security" className="btn btn-ghost btn-sm hide-sm">
                  Security
                </Link>
                <Link to="/settings" className="btn btn-ghost btn-sm hide-sm">
                  <span className="visually-hidden">Settings: </span>
                  {user.name.split(' ')[0] || 'Account'}
                </Link>
                <button type="button" className="btn btn-sm hide-sm" onClick={() => void logout()}>
                  Log out
                </button>
              </>
            ) : (
              <>
                <Link to="/login" className="btn btn-ghost btn-sm">
                  Log in
                </Link>
                <Link to="/signup" className="btn btn-primary btn-sm">
                  Sign up
                </Link>
              </>
            )}
            <button
              type="button"
              className="icon-btn menu-button"
              aria-label="Menu"
              aria-expanded={menuOpen}
              aria-controls="mobile-nav"
              onClick={() => setMenuOpen((o) => !o)}
            >
              ☰
            </button>
          </div>
        </div>
        {menuOpen && (
          // biome-ignore lint/a11y/useKeyWithClickEvents: closes the menu after a link inside was followed (links handle keys themselves)
          <nav id="mobile-nav" className="mobile-nav" aria-label="Main (mobile)" onClick={() => setMenuOpen(false)}>
            {navLinks}
            {user && <NavLink to="/settings">Settings</NavLink>}
            {user && <NavLink to="/security">Security</NavLink>}
            {user && <NavLink to="/verification">Verification</NavLink>}
            {user && <NavLink to="/support">Support</NavLink>}
          </nav>
        )}
      </header>
      <ConnectionBanner health={healthState} socket={socketDown ? 'disconnected' : 'connected'} onRetry={() => void health.checkNow()} />
      <main id="main" className="container" tabIndex={-1}>
        <FrozenBanner />
        <TermsPrompt />
        <Suspense fallback={<Loading />}>
          <Outlet />
        </Suspense>
      </main>
      <footer className="app-footer">
        CryptoVault {config.version !== 'unknown' ? `v${config.version}` : ''} · {config.environment}
        {config.features.simulatedPrices ? ' · simulated market' : ''} · <Link to="/proof-of-liabilities">Proof of liabilities</Link> ·{' '}
        <Link to="/legal/terms">Terms</Link> · <Link to="/legal/privacy">Privacy</Link> · <Link to="/legal/risk">Risk disclosure</Link> ·{' '}
        <Link to="/fees">Fees</Link> · {user ? <Link to="/support">Support</Link> : <Link to="/contact">Contact us</Link>}
      </footer>
      <TabBar signedIn={user !== null} more={moreLinks} onLogout={() => void logout()} />
    </>
  );
}

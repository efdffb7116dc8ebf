import { useEffect, useId, useRef, useState } from 'react';
import { NavLink, useLocation } from 'react-router';

/** 24×24 outline glyphs, drawn with currentColor so a tab's state colours them. */
const ICONS: Record<string, string> = {
  home: 'M3 11l9-7 9 7v9a1 1 0 0 1-1 1h-5v-6h-6v6H4a1 1 0 0 1-1-1z',
  dashboard: 'M4 4h7v9H4zM13 4h7v5h-7zM13 11h7v9h-7zM4 15h7v5H4z',
  markets: 'M4 19V5M4 19h16M8 15l3-4 3 2 5-7',
  trade: 'M7 4v13M7 17l-3-3M7 17l3-3M17 20V7M17 7l-3 3M17 7l3 3',
  wallet: 'M4 7h14a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H5a1 1 0 0 1-1-1zM4 7l11-3v3M16 13.5h.01',
  more: 'M5 12h.01M12 12h.01M19 12h.01',
  account: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0',
};

function TabIcon({ name }: { name: string }) {
  return (
    <svg
      viewBox="0 0 24 24"
      width="22"
      height="22"
      aria-hidden="true"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.8"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <path d={ICONS[name]} strokeWidth={name === 'more' ? 3 : 1.8} />
    </svg>
  );
}

export interface TabLink {
  to: string;
  label: string;
}

/**
 * The phone navigation (styles.css shows it below 640 px, where the top navigation hides): four destinations and
 * a "More" sheet with the rest. It sits above the home indicator (safe-area insets, viewport-fit=cover).
 */
export function TabBar({ signedIn, more, onLogout }: { signedIn: boolean; more: TabLink[]; onLogout: () => void }) {
  const [open, setOpen] = useState(false);
  const { pathname } = useLocation();
  const sheetId = useId();
  const moreButton = useRef<HTMLButtonElement>(null);
  // A followed link closes the sheet.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation only
  useEffect(() => setOpen(false), [pathname]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setOpen(false);
      moreButton.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);

  const tabs = signedIn
    ? [
        { to: '/dashboard', label: 'Dashboard', icon: 'dashboard' },
        { to: '/markets', label: 'Markets', icon: 'markets' },
        { to: '/trade', label: 'Trade', icon: 'trade' },
        { to: '/wallet', label: 'Wallet', icon: 'wallet' },
      ]
    : [
        { to: '/', label: 'Home', icon: 'home' },
        { to: '/markets', label: 'Markets', icon: 'markets' },
        { to: '/login', label: 'Log in', icon: 'account' },
      ];
  const moreActive = more.some((l) => pathname.startsWith(l.to));

  return (
    <>
      {open && signedIn && (
        <>
          <button type="button" className="more-backdrop" aria-label="Close menu" tabIndex={-1} onClick={() => setOpen(false)} />
          <nav id={sheetId} className="more-sheet" aria-label="More">
            {more.map((l) => (
              <NavLink key={l.to} to={l.to}>
                {l.label}
              </NavLink>
            ))}
            <button type="button" className="more-sheet-logout" onClick={onLogout}>
              Log out
            </button>
          </nav>
        </>
      )}
      <nav className="tab-bar" aria-label="Tabs" data-testid="tab-bar">
        {tabs.map((t) => (
          <NavLink key={t.to} to={t.to} end={t.to === '/'} className="tab">
            <TabIcon name={t.icon} />
            <span>{t.label}</span>
          </NavLink>
        ))}
        {signedIn && (
          <button
            ref={moreButton}
            type="button"
            className={`tab${moreActive ? ' active' : ''}`}
            aria-expanded={open}
            aria-controls={sheetId}
            onClick={() => setOpen((o) => !o)}
          >
            <TabIcon name="more" />
            <span>More</span>
          </button>
        )}
      </nav>
    </>
  );
}

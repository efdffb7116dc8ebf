import { lazy, type ReactNode } from 'react';
import { createBrowserRouter, Link, Navigate } from 'react-router';
import { Layout } from './Layout.tsx';
import { RequireAuth } from './RequireAuth.tsx';

// Every screen is its own chunk: the first load carries only the shell and the screen it shows.
const LandingPage = lazy(() => import('../features/markets/LandingPage.tsx'));
const MarketsPage = lazy(() => import('../features/markets/MarketsPage.tsx'));
const AssetPage = lazy(() => import('../features/markets/AssetPage.tsx'));
const SignupPage = lazy(() => import('../features/auth/SignupPage.tsx'));
const VerifyPage = lazy(() => import('../features/auth/VerifyPage.tsx'));
const LoginPage = lazy(() => import('../features/auth/LoginPage.tsx'));
const ForgotPage = lazy(() => import('../features/auth/ForgotPage.tsx'));
const ResetPage = lazy(() => import('../features/auth/ResetPage.tsx'));
const SetupPage = lazy(() => import('../features/auth/SetupPage.tsx'));
const DashboardPage = lazy(() => import('../features/dashboard/DashboardPage.tsx'));
const TradePage = lazy(() => import('../features/trade/TradePage.tsx'));
const WalletPage = lazy(() => import('../features/wallet/WalletPage.tsx'));
const TransactionsPage = lazy(() => import('../features/transactions/TransactionsPage.tsx'));
const OrderPage = lazy(() => import('../features/transactions/OrderPage.tsx'));
const DepositPage = lazy(() => import('../features/transactions/DepositPage.tsx'));
const WithdrawalPage = lazy(() => import('../features/transactions/WithdrawalPage.tsx'));
const TransferPage = lazy(() => import('../features/transactions/TransferPage.tsx'));
const AlertsPage = lazy(() => import('../features/alerts/AlertsPage.tsx'));
const RecurringBuysPage = lazy(() => import('../features/recurring/RecurringBuysPage.tsx'));
const NotificationsPage = lazy(() => import('../features/notifications/NotificationsPage.tsx'));
const SettingsPage = lazy(() => import('../features/settings/SettingsPage.tsx'));
const SecurityPage = lazy(() => import('../features/security/SecurityPage.tsx'));
const VerificationPage = lazy(() => import('../features/kyc/VerificationPage.tsx'));
const AdminPage = lazy(() => import('../features/admin/AdminPage.tsx'));
const ProofPage = lazy(() => import('../features/pol/ProofPage.tsx'));
const FreezePage = lazy(() => import('../features/security/FreezePage.tsx'));
const UnfreezePage = lazy(() => import('../features/security/UnfreezePage.tsx'));
const AddressConfirmPage = lazy(() => import('../features/security/AddressConfirmPage.tsx'));
const LegalPage = lazy(() => import('../features/legal/LegalPage.tsx'));
const FeesPage = lazy(() => import('../features/legal/FeesPage.tsx'));
const RestrictedPage = lazy(() => import('../features/legal/RestrictedPage.tsx'));
const SupportPage = lazy(() => import('../features/support/SupportPage.tsx'));
const TicketPage = lazy(() => import('../features/support/TicketPage.tsx'));
const ContactPage = lazy(() => import('../features/support/ContactPage.tsx'));

const authed = (el: ReactNode, admin = false) => <RequireAuth admin={admin}>{el}</RequireAuth>;

function NotFound() {
  return (
    <div className="empty">
      <h1>Page not found</h1>
      <p>
        <Link to="/">Back to the start</Link>
      </p>
    </div>
  );
}

export function createRouter() {
  return createBrowserRouter([
    {
      element: <Layout />,
      children: [
        { index: true, element: <LandingPage /> },
        { path: 'markets', element: <MarketsPage /> },
        { path: 'markets/:id', element: <AssetPage /> },
        { path: 'signup', element: <SignupPage /> },
        { path: 'verify', element: <VerifyPage /> },
        { path: 'login', element: <LoginPage /> },
        { path: 'forgot-password', element: <ForgotPage /> },
        { path: 'reset-password', element: <ResetPage /> },
        { path: 'setup', element: <SetupPage /> },
        // Opened from emailed links, signed in or not: each page asks before it POSTs the token.
        { path: 'freeze', element: <FreezePage /> },
        { path: 'unfreeze', element: <UnfreezePage /> },
        { path: 'withdrawal-address/confirm', element: <AddressConfirmPage /> },
        { path: 'dashboard', element: authed(<DashboardPage />) },
        { path: 'trade', element: authed(<TradePage />) },
        { path: 'wallet', element: authed(<WalletPage />) },
        { path: 'transactions', element: authed(<TransactionsPage />) },
        { path: 'orders/:id', element: authed(<OrderPage />) },
        { path: 'deposits/:id', element: authed(<DepositPage />) },
        { path: 'withdrawals/:id', element: authed(<WithdrawalPage />) },
        { path: 'transfers/:id', element: authed(<TransferPage />) },
        { path: 'alerts', element: authed(<AlertsPage />) },
        { path: 'recurring-buys', element: authed(<RecurringBuysPage />) },
        { path: 'notifications', element: authed(<NotificationsPage />) },
        { path: 'settings', element: authed(<SettingsPage />) },
        { path: 'security', element: authed(<SecurityPage />) },
        { path: 'verification', element: authed(<VerificationPage />) },
        // The new-device email links here.
        { path: 'settings/security', element: <Navigate to="/security" replace /> },
        { path: 'admin/*', element: authed(<AdminPage />, true) },
        { path: 'proof-of-liabilities', element: <ProofPage /> },
        { path: 'legal/:kind', element: <LegalPage /> },
        { path: 'legal/:kind/versions/:version', element: <LegalPage /> },
        { path: 'fees', element: <FeesPage /> },
        { path: 'restricted', element: <RestrictedPage /> },
        { path: 'contact', element: <ContactPage /> },
        { path: 'support', element: authed(<SupportPage />) },
        { path: 'support/:id', element: authed(<TicketPage />) },
        { path: '*', element: <NotFound /> },
      ],
    },
  ]);
}

-- Legal documents and consent (issue 21), and the country a sign-up came from.
--
-- legal_documents: every published version of the terms, the privacy notice and the risk disclosure. A publish
-- inserts a new row (version = previous + 1 for that kind); rows are never updated or deleted, so every version a
-- user ever accepted stays readable. The version in force is the newest whose effective_at has passed.
-- terms_acceptances: who accepted which version of the terms, when and from which address (sign-up, and again after
-- each new version). users.country: the ISO 3166-1 alpha-2 code the edge reported at sign-up (null when unknown).

alter table users add column country text check (country ~ '^[A-Z]{2}$');

create table legal_documents (
  id bigserial primary key,
  kind text not null check (kind in ('terms', 'privacy', 'risk')),
  version integer not null check (version > 0),
  title text not null check (length(title) between 1 and 200),
  body text not null check (length(body) between 1 and 200000),
  effective_at timestamptz not null,
  published_at timestamptz not null default now(),
  -- null for the documents this migration seeds
  published_by uuid references users (id),
  unique (kind, version)
);

create or replace function legal_documents_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'legal_documents is append-only: publish a new version instead';
end $$;

create trigger legal_documents_append_only before update or delete on legal_documents
  for each row execute function legal_documents_append_only();

create table terms_acceptances (
  user_id uuid not null references users (id),
  version integer not null check (version > 0),
  accepted_at timestamptz not null default now(),
  ip text,
  primary key (user_id, version)
);

insert into legal_documents (kind, version, title, effective_at, body) values
('terms', 1, 'Terms of Service', '2026-01-01T00:00:00Z',
$terms$# Terms of Service

These terms are the agreement between you and CryptoVault for the use of your CryptoVault account. Please read them before you open an account: by ticking "I accept the Terms of Service" at sign-up you agree to them.

## 1. Who may use CryptoVault

- You must be at least 18 years old and able to enter into a binding contract.
- You may not open or use an account from a country where we do not offer our service. We decide this from the country our network provider reports for your connection; we refuse sign-ups, deposits, purchases and transfers from those countries.
- One person, one account. You must give us true information about yourself and keep it up to date.

## 2. Your account and its security

- Keep your password and your second factor (authenticator app, passkey or backup codes) to yourself. Anyone who has them can act as you.
- Turn on two-factor authentication. We may ask you to confirm who you are again before sensitive actions such as withdrawals and transfers.
- Tell us at once if you think someone else has used your account. The "this wasn't me" link in our security emails freezes the account immediately.

## 3. What we hold for you

- CryptoVault is a custodial service: we hold the crypto assets and US dollar balances shown in your account on your behalf, and we record every movement in a double-entry ledger.
- Your balances are not bank deposits and are not covered by any deposit insurance scheme.
- We publish a regular proof of liabilities so that you can check your balances are included in what we report we owe our customers.

## 4. Trading

- Market orders are filled at the price our server shows at the moment the order is accepted; a quote you confirm is honoured until it expires. We do not fill orders when our prices are out of date.
- Limit, stop and other resting orders are filled only when the market reaches their price, and may never be filled.
- Every fill is charged the trading fee shown on our Fees page at that time. The Fees page is generated from the same settings that compute the charge.

## 5. Deposits, withdrawals and transfers

- Deposits are credited once our payment provider confirms them as finished.
- Withdrawals may be reviewed by our staff before they are sent; large withdrawals need the approval of two members of staff. A network fee, shown on the Fees page, is added to each withdrawal.
- Transfers to other CryptoVault users are final once made.

## 6. Things you must not do

Do not use CryptoVault for anything unlawful, including money laundering, financing of terrorism, sanctions evasion or fraud; do not try to get around our country restrictions (for example with a VPN); do not interfere with the service or other users' accounts. We may suspend or close an account that breaks these rules and report it to the authorities where the law requires it.

## 7. Changes to these terms

We may change these terms. We publish every new version with the date it takes effect and keep earlier versions readable on this site. When the terms change you will be asked to accept the new version before you can deposit, trade or transfer again; you can always withdraw your funds without accepting.

## 8. Closing your account

You may close your account at any time after withdrawing your balances. We may close it with notice, and at once when the law or these terms require it; you will then be able to withdraw what you hold.

## 9. Liability

We are responsible for losses caused by our own negligence or breach of these terms. We are not responsible for losses caused by market movements, by events outside our reasonable control, or by someone using your password or second factor before you told us.

## 10. Contact

Questions about these terms: support@cryptovault.financial.
$terms$),
('privacy', 1, 'Privacy Notice', '2026-01-01T00:00:00Z',
$privacy$# Privacy Notice

This notice explains what personal data CryptoVault collects, why, and what rights you have.

## What we collect

- **Account data:** your name, email address, password (stored only as a one-way hash) and your second-factor settings.
- **Connection data:** the IP address and device description of each sign-in, and the country our network provider reports for your connection when you sign up.
- **Financial data:** your balances, orders, deposits, withdrawals, transfers and withdrawal addresses.
- **Consent records:** which version of our terms you accepted, when, and from which IP address.

## Why we use it

- To run your account and carry out your instructions (contract).
- To keep your account and the platform secure, detect fraud and meet our legal duties, such as record keeping and country restrictions (legal obligation and legitimate interest).
- To send you the emails you need: verification codes, security alerts and, if you choose, trade notifications.

## Who we share it with

Only with the service providers we need to run CryptoVault (hosting, database, email delivery, payment processing and error monitoring), under contracts that require them to protect it, and with authorities when the law requires us to. We do not sell your data.

## How long we keep it

Account and financial records are kept for as long as your account is open and afterwards for as long as the law requires us to keep transaction records. Security logs are kept for a shorter period.

## Your rights

You may ask to see, correct or export your data, object to certain uses, or ask us to delete it where we are not required to keep it. Write to privacy@cryptovault.financial.
$privacy$),
('risk', 1, 'Risk Disclosure', '2026-01-01T00:00:00Z',
$risk$# Risk Disclosure

Buying and holding crypto assets is risky. Please read this before you deposit.

- **Prices move sharply.** Crypto asset prices can rise or fall by a large amount in minutes. You can lose all the money you put in.
- **No protection scheme.** Your balances are not bank deposits and are not covered by deposit insurance or investor compensation schemes.
- **Orders may not fill as you expect.** In fast markets a resting order can fill at its limit or not at all, and a stop order can fill well away from its trigger price.
- **Fees reduce returns.** Every trade and withdrawal is charged the fees on our Fees page.
- **Transfers are final.** A withdrawal sent to a wrong address, or a transfer to the wrong user, usually cannot be reversed.
- **Rules can change.** Laws about crypto assets change; a change may limit what we can offer you in your country.

Only put in money you can afford to lose, and consider getting independent financial advice.
$risk$);

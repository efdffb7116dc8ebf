/**
 * The browser half of passkeys (WebAuthn), through @simplewebauthn/browser, loaded only when a passkey is used so
 * the first page load does not carry it. The server hands out the options (single use, a few minutes) and checks
 * the answers; nothing here decides anything.
 */
import type { WebauthnCredentialJson } from '@cryptovault/contract';

export function passkeysSupported(): boolean {
  return typeof window !== 'undefined' && typeof window.PublicKeyCredential === 'function';
}

/** navigator.credentials.get() for options from the server (sign-in or step-up). */
export async function passkeyAssertion(options: unknown): Promise<WebauthnCredentialJson> {
  const { startAuthentication } = await import('@simplewebauthn/browser');
  // biome-ignore lint/suspicious/noExplicitAny: the options come from the server as JSON and are the library's own type
  const answer = await startAuthentication({ optionsJSON: options as any });
  return answer as unknown as WebauthnCredentialJson;
}

/** navigator.credentials.create() for registration options from the server. */
export async function passkeyRegistration(options: unknown): Promise<WebauthnCredentialJson> {
  const { startRegistration } = await import('@simplewebauthn/browser');
  // biome-ignore lint/suspicious/noExplicitAny: as above, the server's PublicKeyCredentialCreationOptionsJSON
  const answer = await startRegistration({ optionsJSON: options as any });
  return answer as unknown as WebauthnCredentialJson;
}

/** A browser refusal (cancelled prompt, no matching passkey, timeout) in words for the form. */
export function describePasskeyError(err: unknown): string | null {
  if (err instanceof Error && (err.name === 'NotAllowedError' || err.name === 'AbortError')) return 'The passkey prompt was cancelled or timed out. Try again.';
  if (err instanceof Error && err.name === 'InvalidStateError') return 'This passkey is already registered on your account.';
  if (err instanceof Error && /WebAuthn|not supported|SecurityError/i.test(`${err.name} ${err.message}`)) return 'This browser cannot use passkeys here.';
  return null;
}

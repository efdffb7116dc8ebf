import type { UserProfile } from '@cryptovault/contract';
import { createContext, useContext } from 'react';

/** Who is signed in, for features; app/auth.tsx (AuthProvider) provides it. */
export interface AuthState {
  user: UserProfile | null;
  loading: boolean;
  /** After login / verify-email: the cookies are set, the user is known. */
  signedIn(user: UserProfile): void;
  logout(all?: boolean): Promise<void>;
  refreshUser(): Promise<void>;
}

export const AuthContext = createContext<AuthState | null>(null);

export function useAuth(): AuthState {
  const a = useContext(AuthContext);
  if (!a) throw new Error('AuthProvider missing');
  return a;
}

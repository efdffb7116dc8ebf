import type { FastifyRequest } from 'fastify';
import { AppError } from './errors.ts';

/** Who is calling. Produced by the auth module's Authenticator; routes read it through the guards below. */
export interface Principal {
  userId: string;
  sessionId: string;
  role: 'user' | 'admin';
  twoFactorEnabled: boolean;
  /** cookie-authenticated requests need CSRF; bearer ones do not. */
  via: 'cookie' | 'bearer';
}

export interface Authenticator {
  /**
   * The caller of an HTTP request: null when anonymous OR when the presented credential is invalid, expired or
   * belongs to a revoked session (guards then answer 401). Never throws for bad credentials.
   */
  authenticate(request: FastifyRequest): Promise<Principal | null>;
  /** The same for a Socket.IO handshake: the `access_token` cookie, or a `/api/auth/socket-token` token. */
  authenticateSocket(input: { cookieHeader?: string | undefined; token?: string | undefined }): Promise<Principal | null>;
}

/** Until the accounts module registers its authenticator, nobody is signed in. */
export const anonymousOnly: Authenticator = {
  async authenticate() {
    return null;
  },
  async authenticateSocket() {
    return null;
  },
};

declare module 'fastify' {
  interface FastifyRequest {
    /** Resolved once per request by the auth hook in app.ts. */
    principal: Principal | null;
  }
}

export function requireUser(request: FastifyRequest): Principal {
  if (!request.principal) throw new AppError('UNAUTHENTICATED', 'Sign in to continue');
  return request.principal;
}

/** Admin routes need role admin AND 2FA enabled. */
export function requireAdmin(request: FastifyRequest): Principal {
  const p = requireUser(request);
  if (p.role !== 'admin') throw new AppError('FORBIDDEN', 'Administrator access required');
  if (!p.twoFactorEnabled) throw new AppError('FORBIDDEN', 'Administrators must enable two-factor authentication first');
  return p;
}

import { webcrypto } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { randomToken } from './secrets.ts';

export const ISSUER = 'cryptovault';
/** Access tokens and socket tokens have different audiences, so one cannot stand in for the other. */
export const ACCESS_AUDIENCE = 'cryptovault-api';
export const SOCKET_AUDIENCE = 'cryptovault-socket';
export const SOCKET_TOKEN_TTL_SECONDS = 60;

export interface TokenClaims {
  userId: string;
  sessionId: string;
}

export class TokenService {
  /**
   * Imported once: given the secret's bytes, jose imports them as a key again on every sign and verify, which is work
   * repeated on every authenticated request.
   */
  private readonly key: Promise<webcrypto.CryptoKey>;

  constructor(
    secret: string,
    private readonly accessTtlSeconds: number,
  ) {
    this.key = webcrypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    // Awaited, and any failure thrown, where the key is used.
    this.key.catch(() => undefined);
  }

  async signAccess(claims: TokenClaims): Promise<{ token: string; expiresAt: Date }> {
    return this.sign(claims, ACCESS_AUDIENCE, this.accessTtlSeconds);
  }

  async signSocket(claims: TokenClaims): Promise<{ token: string; expiresAt: Date }> {
    return this.sign(claims, SOCKET_AUDIENCE, SOCKET_TOKEN_TTL_SECONDS);
  }

  private async sign(claims: TokenClaims, audience: string, ttlSeconds: number): Promise<{ token: string; expiresAt: Date }> {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ sid: claims.sessionId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.userId)
      .setIssuer(ISSUER)
      .setAudience(audience)
      .setJti(randomToken(16))
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSeconds)
      .sign(await this.key);
    return { token, expiresAt: new Date((now + ttlSeconds) * 1000) };
  }

  /**
   * Tokens that verified, until their expiry: a browser sends the same access token on every request for its
   * lifetime, and its signature and claims cannot change, so they are checked once per machine. Bounded; the oldest
   * is dropped first. Whether the SESSION is still live is checked on every request (sessions.service.ts).
   */
  private readonly verified = new Map<string, { claims: TokenClaims; audience: string; expiresAtMs: number }>();
  private static readonly MAX_VERIFIED = 20_000;

  /** The claims of a valid token, or null (bad signature, other algorithm, wrong issuer/audience, expired, malformed). */
  async verify(token: string, audience: string): Promise<TokenClaims | null> {
    if (token.length > 2048) return null;
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.audience === audience && hit.expiresAtMs > Date.now()) return hit.claims;
      if (hit.expiresAtMs <= Date.now()) this.verified.delete(token);
    }
    try {
      const { payload } = await jwtVerify(token, await this.key, { algorithms: ['HS256'], issuer: ISSUER, audience, requiredClaims: ['jti', 'exp', 'sub'] });
      if (typeof payload.sub !== 'string' || typeof payload.sid !== 'string' || typeof payload.exp !== 'number') return null;
      const claims = { userId: payload.sub, sessionId: payload.sid };
      if (this.verified.size >= TokenService.MAX_VERIFIED) {
        const oldest = this.verified.keys().next().value;
        if (oldest !== undefined) this.verified.delete(oldest);
      }
      this.verified.set(token, { claims, audience, expiresAtMs: payload.exp * 1000 });
      return claims;
    } catch (err) {
      if (err instanceof errors.JOSEError || err instanceof TypeError) return null;
      throw err;
    }
  }
}

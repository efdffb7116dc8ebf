import type { FastifyReply } from 'fastify';
import type { Config } from '../../config.ts';

export const ACCESS_COOKIE = 'access_token';
export const REFRESH_COOKIE = 'refresh_token';

/** Host-only (no Domain), Path=/, httpOnly; Secure outside local development; SameSite per USE_CROSS_SITE_COOKIES. */
function base(config: Config) {
  return { path: '/', httpOnly: true, secure: config.cookies.secure, sameSite: config.cookies.crossSite ? ('none' as const) : ('lax' as const) };
}

export function setAuthCookies(reply: FastifyReply, config: Config, t: { accessToken: string; refreshToken: string }): void {
  reply.setCookie(ACCESS_COOKIE, t.accessToken, { ...base(config), maxAge: config.auth.accessTokenTtlSeconds });
  reply.setCookie(REFRESH_COOKIE, t.refreshToken, { ...base(config), maxAge: config.auth.refreshTokenTtlSeconds });
  reply.header('cache-control', 'no-store');
}

export function clearAuthCookies(reply: FastifyReply, config: Config): void {
  reply.clearCookie(ACCESS_COOKIE, base(config));
  reply.clearCookie(REFRESH_COOKIE, base(config));
  reply.header('cache-control', 'no-store');
}

/** `name=value` pairs of a Cookie header (Socket.IO handshakes arrive without Fastify's cookie parser). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

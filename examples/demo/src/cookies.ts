import type { Request, Response } from 'express';

/** Reads one cookie from the request (no cookie-parser needed for two cookies). */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
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

export interface CookieOptions {
  /** Secure cookies get the __Host- prefix: HTTPS only, this host only, path /. */
  secure: boolean;
  maxAgeSeconds?: number;
}

/** The name a cookie has under the given options. */
export function cookieName(base: string, secure: boolean): string {
  return secure ? `__Host-${base}` : base;
}

export function setCookie(res: Response, base: string, value: string, opts: CookieOptions): void {
  res.cookie(cookieName(base, opts.secure), value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: opts.secure,
    path: '/',
    encode: String, // our values are already URL-safe (base64url)
    ...(opts.maxAgeSeconds === undefined ? {} : { maxAge: opts.maxAgeSeconds * 1000 }),
  });
}

export function clearCookie(res: Response, base: string, secure: boolean): void {
  res.clearCookie(cookieName(base, secure), { httpOnly: true, sameSite: 'lax', secure, path: '/' });
}

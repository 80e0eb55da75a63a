import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Clock } from '@twofa/core';
import { clearCookie, cookieName, readCookie, setCookie } from './cookies.js';

/** A challenge the user is answering, as the login page needs to show it. */
export interface OpenChallenge {
  id: string;
  method: string;
  channel?: string;
  destination?: string;
  expiresAt: number;
  resendAt?: number;
}

/** A notice for the next page; `field` ties an error to the input it is about. */
export interface Flash {
  kind: 'ok' | 'error';
  text: string;
  /** The id of the input the error belongs to: shown there, not above the page. */
  field?: string;
}

export interface SessionData {
  /** The CSRF token for this session's forms. */
  csrf: string;
  /** Fully signed in (password and, if enrolled, second factor). */
  userId?: string;
  /** Password accepted, second factor still due. */
  pending?: { userId: string; since: number };
  flash?: Flash;
  /**
   * When this session last proved it is the user (password re-entered, or a second factor
   * verified): adding or replacing a 2FA method needs this within the last 5 minutes.
   */
  reauthAt?: number;
  /** An authenticator-app enrollment being confirmed: shown again after a wrong code. */
  /** The pending enrollment's id (for confirmEnrollment) and what the page shows. */
  totpSetup?: { id: string; secret: string; uri: string; qrSvg: string };
  /** A phone enrollment being confirmed. */
  phoneSetup?: { id: string; destination: string; channel: string };
  /** Recovery codes to show once, on the next page view. */
  newRecoveryCodes?: string[];
}

export interface Session {
  id: string;
  data: SessionData;
  touchedAt: number;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      session: Session;
    }
  }
}

const newId = () => randomBytes(32).toString('base64url');

/**
 * Server-side sessions: the cookie holds only a random 256-bit id; everything else stays
 * in this process. HttpOnly, SameSite=Lax, and Secure + __Host- prefix outside local dev.
 */
export class Sessions {
  private readonly byId = new Map<string, Session>();

  constructor(private readonly opts: { secure: boolean; clock: Clock; idleSeconds?: number }) {}

  private get idleMs(): number {
    return (this.opts.idleSeconds ?? 2 * 3600) * 1000;
  }

  /** Loads the session named by the cookie, or starts a fresh one. */
  middleware() {
    return (req: Request, res: Response, next: NextFunction): void => {
      const now = this.opts.clock.now();
      const id = readCookie(req, cookieName('sid', this.opts.secure));
      let s = id === undefined ? undefined : this.byId.get(id);
      if (s && now - s.touchedAt > this.idleMs) {
        this.byId.delete(s.id);
        s = undefined;
      }
      if (!s) s = this.create(res);
      s.touchedAt = now;
      req.session = s;
      next();
    };
  }

  private create(res: Response): Session {
    this.sweep();
    const s: Session = { id: newId(), data: { csrf: newId() }, touchedAt: this.opts.clock.now() };
    this.byId.set(s.id, s);
    setCookie(res, 'sid', s.id, { secure: this.opts.secure });
    return s;
  }

  /** New id and CSRF token at every privilege change (stops session fixation). */
  regenerate(req: Request, res: Response, keep: Partial<SessionData> = {}): Session {
    this.byId.delete(req.session.id);
    const s = this.create(res);
    Object.assign(s.data, keep);
    req.session = s;
    return s;
  }

  destroy(req: Request, res: Response): void {
    this.byId.delete(req.session.id);
    clearCookie(res, 'sid', this.opts.secure);
  }

  private sweep(): void {
    const now = this.opts.clock.now();
    for (const [id, s] of this.byId) if (now - s.touchedAt > this.idleMs) this.byId.delete(id);
  }
}

/** Sets a one-time notice and redirects (POST/redirect/GET). `field`: the input an error is about. */
export function redirectWith(req: Request, res: Response, to: string, kind: 'ok' | 'error', text: string, field?: string): void {
  req.session.data.flash = { kind, text, ...(field ? { field } : {}) };
  res.redirect(303, to);
}

/** Reads and clears the one-time notice. */
export function takeFlash(req: Request): Flash | undefined {
  const f = req.session.data.flash;
  delete req.session.data.flash;
  return f;
}

/** The pending notice if it is an error about an input, for the view to show at that input. */
export function fieldError(req: Request): FieldError | undefined {
  const f = req.session.data.flash;
  return f?.kind === 'error' && f.field ? { field: f.field, text: f.text } : undefined;
}

/** An error shown at the input it is about. */
export interface FieldError {
  field: string;
  text: string;
}

/** How long a re-entered password or a verified second factor counts as "just now". */
export const REAUTH_MS = 5 * 60 * 1000;

/** True when this session proved it is the user within the last 5 minutes. */
export function recentlyReauthenticated(req: Request, now: number): boolean {
  const at = req.session.data.reauthAt;
  return at !== undefined && now - at <= REAUTH_MS;
}

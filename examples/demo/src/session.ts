import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Clock } from '@twofa/core';
import { clearCookie, cookieName, readCookie, setCookie } from './cookies.js';
import type { StepUpAction } from './step-up.js';

/** A challenge the user is answering, as the login page needs to show it. */
export interface OpenChallenge {
  id: string;
  method: string;
  /** The phone or address the code went to. */
  authenticatorId?: string;
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
  /** When the password was last entered again: adding a 2FA method accepts it for 5 minutes. */
  reauthAt?: number;
  /**
   * The proof of the last second factor verified in this session (twofa.verify's `proof`):
   * sensitive actions go ahead while twofa.isFresh says it is at most 5 minutes old.
   */
  proof?: string;
  /**
   * A sensitive action waiting for a fresh second factor (the step-up page), since when, and
   * a random id the page's form carries back: the code confirms the action the user saw.
   */
  stepUp?: { action: StepUpAction; since: number; id: string };
  /** An authenticator-app enrollment being confirmed: the pending enrollment's id (for confirmEnrollment) and what the page shows. */
  totpSetup?: { id: string; secret: string; uri: string; qrSvg: string };
  /** A phone enrollment being confirmed. */
  phoneSetup?: CodeSetup;
  /** An email enrollment being confirmed. */
  emailSetup?: CodeSetup;
  /** A security key being registered: the pending enrollment's id and the options for the browser (JSON). */
  webauthnSetup?: { id: string; options: string };
  /** Recovery codes to show once, on the next page view. */
  newRecoveryCodes?: string[];
}

/** An enrollment confirmed with a code sent to the new phone or address. */
export interface CodeSetup {
  id: string;
  destination: string;
  channel: string;
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

  /** Ends every session of the user but `keep` (after a password change or an admin reset). Returns how many. */
  endUser(userId: string, keep?: string): number {
    let n = 0;
    for (const [id, s] of this.byId) {
      if (id !== keep && (s.data.userId === userId || s.data.pending?.userId === userId)) n += Number(this.byId.delete(id));
    }
    return n;
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

/** How long a re-entered password or a verified second factor counts as "just now": 5 minutes. */
export const FRESH_SECONDS = 5 * 60;

/** True when the password was entered again within the last 5 minutes. */
export function passwordRecentlyEntered(req: Request, now: number): boolean {
  const at = req.session.data.reauthAt;
  return at !== undefined && now - at <= FRESH_SECONDS * 1000;
}

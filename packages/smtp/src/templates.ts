/** What an email template is rendered from. */
export interface EmailVars {
  code: string;
  issuer: string;
  /** Minutes until the code expires. */
  minutes: number;
  /** True only when smtpSender({ codeInSubject: true }): the subject may then show the code. */
  codeInSubject: boolean;
}

/**
 * One language's email. `html` receives the same values HTML-escaped (`&`, `<`, `>`, `"`,
 * `'`), so an issuer like `Q&A <Beta>` cannot break or inject markup: do not escape again.
 */
export interface EmailTemplate {
  /** The subject line (without the code unless `codeInSubject`). */
  subject: (vars: EmailVars) => string;
  /** The plain-text part. */
  text: (vars: EmailVars) => string;
  /** The HTML part; escape what you interpolate (`escapeHtml`). */
  html: (vars: EmailVars) => string;
}

/** The sentences of one language; the layout that joins them is shared. */
interface Phrases {
  subject: (v: EmailVars) => string;
  subjectWithCode: (v: EmailVars) => string;
  intro: (v: EmailVars) => string;
  expiry: (v: EmailVars) => string;
  unasked: string;
}

function layout(lang: string, p: Phrases): EmailTemplate {
  return {
    subject: (v) => (v.codeInSubject ? p.subjectWithCode(v) : p.subject(v)),
    text: (v) => `${p.intro(v)}\n\n    ${v.code}\n\n${p.expiry(v)}\n\n${p.unasked}\n`,
    html: (v) =>
      `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>${p.subject(v)}</title></head>` +
      '<body style="font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;color:#222;line-height:1.5">' +
      `<p>${p.intro(v)}</p>` +
      `<p style="font-family:ui-monospace,Menlo,Consolas,monospace;font-size:28px;font-weight:bold;letter-spacing:4px">${v.code}</p>` +
      `<p>${p.expiry(v)}</p>` +
      `<p style="color:#666;font-size:13px">${p.unasked}</p>` +
      '</body></html>',
  };
}

/**
 * Built-in emails by language: English, French, Spanish, German. The subject names the
 * issuer but not the code (unless codeInSubject): subjects show on lock screens and in
 * notification previews, and mail servers log them.
 */
export const emailTemplates: Readonly<Record<string, EmailTemplate>> = {
  en: layout('en', {
    subject: (v) => `Your ${v.issuer} verification code`,
    subjectWithCode: (v) => `${v.code} is your ${v.issuer} verification code`,
    intro: (v) => `Your ${v.issuer} verification code is:`,
    expiry: (v) => `It expires in ${v.minutes} minutes. Don't share it with anyone.`,
    unasked: "If you didn't ask for this code, ignore this email and make sure your account's password is safe.",
  }),
  fr: layout('fr', {
    subject: (v) => `Votre code de vérification ${v.issuer}`,
    subjectWithCode: (v) => `${v.code} est votre code de vérification ${v.issuer}`,
    intro: (v) => `Votre code de vérification ${v.issuer} est :`,
    expiry: (v) => `Il expire dans ${v.minutes} minutes. Ne le communiquez à personne.`,
    unasked: "Si vous n'avez pas demandé ce code, ignorez cet e-mail et vérifiez que le mot de passe de votre compte est sûr.",
  }),
  es: layout('es', {
    subject: (v) => `Tu código de verificación de ${v.issuer}`,
    subjectWithCode: (v) => `${v.code} es tu código de verificación de ${v.issuer}`,
    intro: (v) => `Tu código de verificación de ${v.issuer} es:`,
    expiry: (v) => `Caduca en ${v.minutes} minutos. No lo compartas con nadie.`,
    unasked: 'Si no has pedido este código, ignora este correo y comprueba que la contraseña de tu cuenta es segura.',
  }),
  de: layout('de', {
    subject: (v) => `Ihr ${v.issuer}-Bestätigungscode`,
    subjectWithCode: (v) => `${v.code} ist Ihr ${v.issuer}-Bestätigungscode`,
    intro: (v) => `Ihr ${v.issuer}-Bestätigungscode lautet:`,
    expiry: (v) => `Er läuft in ${v.minutes} Minuten ab. Geben Sie ihn nicht weiter.`,
    unasked: 'Wenn Sie diesen Code nicht angefordert haben, ignorieren Sie diese E-Mail und prüfen Sie, ob das Passwort Ihres Kontos sicher ist.',
  }),
};

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes `& < > " '` for HTML text and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Templates keyed by lower-case tag; picks 'pt-br' → 'pt' → the default language. */
export function pickEmailTemplate(templates: ReadonlyMap<string, EmailTemplate>, locale: string | undefined, fallback: string): EmailTemplate {
  if (locale) {
    const tag = locale.toLowerCase();
    const found = templates.get(tag) ?? templates.get(tag.split('-')[0]!);
    if (found) return found;
  }
  return templates.get(fallback)!;
}

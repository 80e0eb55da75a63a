/** The values a message template writes from. */
export interface MessageVars {
  code: string;
  issuer: string;
  minutes: number;
}

/** Writes the text of a code message from its values. */
export type MessageTemplate = (vars: MessageVars) => string;

/** Built-in message texts by language. Add your own with localVerifier({ templates }). */
export const messageTemplates: Record<string, MessageTemplate> = {
  en: ({ code, issuer, minutes }) => `Your ${issuer} verification code is ${code}. It expires in ${minutes} minutes. Don't share it.`,
  fr: ({ code, issuer, minutes }) => `Votre code de vérification ${issuer} est ${code}. Il expire dans ${minutes} minutes. Ne le partagez pas.`,
  es: ({ code, issuer, minutes }) => `Tu código de verificación de ${issuer} es ${code}. Caduca en ${minutes} minutos. No lo compartas.`,
  de: ({ code, issuer, minutes }) => `Ihr ${issuer}-Bestätigungscode lautet ${code}. Er läuft in ${minutes} Minuten ab. Geben Sie ihn nicht weiter.`,
};

/** Picks 'pt-BR' → 'pt-BR', then 'pt', then 'en'. */
export function pickTemplate(templates: Record<string, MessageTemplate>, locale: string | undefined): MessageTemplate {
  if (locale) {
    const exact = templates[locale];
    if (exact) return exact;
    const base = templates[locale.split('-')[0]!.toLowerCase()];
    if (base) return base;
  }
  return templates.en ?? messageTemplates.en!;
}

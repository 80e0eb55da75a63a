/** Locales Vonage Verify v2 documents (its OpenAPI `Language` enum). */
export const VONAGE_LOCALES = [
  'en-us', 'en-gb', 'es-es', 'es-mx', 'es-us', 'it-it', 'fr-fr', 'de-de', 'ru-ru', 'hi-in', 'pt-br', 'pt-pt', 'id-id',
] as const;

export type VonageLocale = (typeof VONAGE_LOCALES)[number];

/** A bare language picks the region Vonage would be most likely to mean. */
const BY_LANGUAGE: Record<string, VonageLocale> = {
  en: 'en-us', es: 'es-es', it: 'it-it', fr: 'fr-fr', de: 'de-de', ru: 'ru-ru', hi: 'hi-in', pt: 'pt-br', id: 'id-id',
};

/**
 * BCP 47 ('fr', 'pt-BR', 'en-GB') → Vonage's form ('fr-fr', 'pt-br', 'en-gb'). Undefined
 * when Vonage has no such language: the request then goes without one (Vonage's default,
 * en-us) rather than failing.
 */
export function vonageLocale(tag: string | undefined): VonageLocale | undefined {
  if (!tag) return undefined;
  const lower = tag.toLowerCase();
  if ((VONAGE_LOCALES as readonly string[]).includes(lower)) return lower as VonageLocale;
  return BY_LANGUAGE[lower.split('-')[0]!];
}

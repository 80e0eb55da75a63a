// GSM 03.38 default alphabet and its extension table: what an SMS carries as 'text'.
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION = '^{}\\[~]|€\f';
const GSM = new Set([...BASIC, ...EXTENSION]);

/** True when every character fits GSM-7; otherwise the SMS must go as 'unicode' (UCS-2). */
export function isGsm7(text: string): boolean {
  for (const ch of text) if (!GSM.has(ch)) return false;
  return true;
}

/**
 * Twilio Lookup v2 line_type_intelligence.type → the names phone({ lineTypes }) compares:
 * 'mobile', 'landline', 'voip' (fixed and non-fixed), 'toll_free', 'personal', 'pager',
 * 'voicemail', 'shared_cost', 'uan'. Unknown or missing → null.
 */
export function normaliseLineType(type: unknown): string | null {
  if (typeof type !== 'string' || type === '' || type === 'unknown') return null;
  if (type === 'fixedVoip' || type === 'nonFixedVoip') return 'voip';
  return type.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

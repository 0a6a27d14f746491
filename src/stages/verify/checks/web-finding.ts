// Builds findings for the web layers (http, smoke, tls): optional fields only when set, no remedy on a pass.
import type { Finding, Outcome } from '../../../report/common.js';

export function webFinding(
  id: string, section: 'http' | 'smoke' | 'tls', title: string, status: Outcome, summary: string,
  extra: { required?: boolean; detail?: string; evidence?: string; remedy?: string } = {},
): Finding {
  const f: Finding = { id, section, title, status, required: extra.required ?? false, summary };
  if (extra.detail !== undefined && extra.detail !== '') f.detail = extra.detail;
  if (extra.evidence !== undefined && extra.evidence !== '') f.evidence = extra.evidence;
  if (extra.remedy !== undefined && status !== 'pass') f.remedy = extra.remedy;
  return f;
}

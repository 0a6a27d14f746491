// Helpers every readiness check uses to build findings.
import type { Finding, Outcome } from '../../../report/common.js';

export type Section = 'system' | 'runtimes' | 'network' | 'permissions' | 'secrets';

export function finding(
  id: string, section: Section, title: string, status: Outcome, summary: string,
  extra: { required?: boolean; detail?: string; evidence?: string; remedy?: string } = {},
): Finding {
  const f: Finding = { id, section, title, status, required: extra.required ?? false, summary };
  if (extra.detail !== undefined) f.detail = extra.detail;
  if (extra.evidence !== undefined) f.evidence = extra.evidence;
  if (extra.remedy !== undefined && status !== 'pass') f.remedy = extra.remedy;
  return f;
}

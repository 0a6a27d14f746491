// Smoke layer: real requests with conditions on their answers (`[STATUS] == 200`); also reads checks files.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Finding } from '../../../report/common.js';
import { openAppEndpoint, type AppEndpoint } from '../app-endpoint.js';
import { ConditionSyntaxError, evaluateCondition, parseCondition, type Ast } from '../conditions/index.js';
import { bodyExcerpt, httpRequest, joinUrl } from '../http-client.js';
import type { LayerCheck, LayerInput, SmokeCheck } from '../types.js';
import { webFinding } from './web-finding.js';

const SAFE_METHODS = new Set(['GET', 'HEAD']);

/** The checks run when none are configured: the health path answers, and `/` does not error. */
export function defaultChecks(healthPath: string | null): SmokeCheck[] {
  const health = healthPath ?? '/';
  const out: SmokeCheck[] = [{ name: 'health', method: 'GET', path: health, conditions: ['[STATUS] < 400'] }];
  if (health !== '/') out.push({ name: 'root', method: 'GET', path: '/', conditions: ['[STATUS] < 500'] });
  return out;
}

export const checkSmoke: LayerCheck = async (input) => {
  const checks = input.options.checks.length > 0 ? input.options.checks : defaultChecks(input.target.healthPath);
  const ep = await openAppEndpoint(input);
  if ('none' in ep) return [webFinding('smoke', 'smoke', 'Smoke checks', 'skipped', `${ep.none}: nothing to request`, { remedy: 'pass --url, or --port for a service on the target' })];
  if ('error' in ep) return [webFinding('smoke', 'smoke', 'Smoke checks', 'unknown', ep.error, { required: true, remedy: 'check the connection to the target, or pass --url' })];
  try {
    const ids = new Map<string, number>();
    const out: Finding[] = [];
    // One after another: checks may depend on order (create, then read), and the app is not load-tested here.
    for (const c of checks) {
      const slug = c.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'check';
      const n = (ids.get(slug) ?? 0) + 1;
      ids.set(slug, n);
      out.push(await runCheck(input, ep.endpoint, c, n === 1 ? `smoke.${slug}` : `smoke.${slug}-${n}`));
    }
    return out;
  } finally {
    await ep.endpoint.close();
  }
};

async function runCheck(input: LayerInput, ep: AppEndpoint, c: SmokeCheck, id: string): Promise<Finding> {
  const mask = (s: string): string => input.ctx.redactor.mask(s);
  const method = (c.method || 'GET').toUpperCase();
  const title = mask(`Smoke: ${c.name} (${method} ${c.path})`);
  if (c.conditions.length === 0) {
    return webFinding(id, 'smoke', title, 'fail', `check "${mask(c.name)}" has no conditions: nothing would be verified`, { required: true, remedy: 'add at least one condition, e.g. [STATUS] == 200 (a configuration error)' });
  }
  const asts: Ast[] = [];
  for (const [i, src] of c.conditions.entries()) {
    try {
      asts.push(parseCondition(src));
    } catch (e) {
      if (!(e instanceof ConditionSyntaxError)) throw e;
      return webFinding(id, 'smoke', title, 'fail', mask(`check "${c.name}", condition ${i + 1} is malformed at column ${e.position}: expected ${e.expected}, found ${e.found}`), {
        required: true, detail: mask(`${src}\n${' '.repeat(Math.max(0, e.position - 1))}^`), remedy: 'fix the condition in the checks file (a configuration error)',
      });
    }
  }
  if (!SAFE_METHODS.has(method) && c.mutates !== true) {
    return webFinding(id, 'smoke', title, 'skipped', `not run: ${method} may change data, and the check does not set mutates: true`, { remedy: 'add mutates: true to the check to run it against this deployment' });
  }
  const url = joinUrl(ep.base, c.path);
  const outcome = await httpRequest({
    method, url, timeoutMs: input.options.requestTimeoutMs, via: ep.via,
    ...(c.headers ? { headers: c.headers } : {}), ...(c.body !== undefined ? { body: c.body } : {}), ...(input.ctx.signal ? { signal: input.ctx.signal } : {}),
  });
  const request = mask(`${method} ${url}`);
  if (!outcome.ok) {
    const f = outcome.failure;
    if (f.kind === 'cancelled') return webFinding(id, 'smoke', title, 'unknown', 'cancelled before the request finished', { required: true, evidence: request });
    return webFinding(id, 'smoke', title, 'fail', mask(`${method} ${c.path}: ${f.message}`), { required: true, evidence: request, remedy: 'the request got no answer: see the HTTP health section and the app\'s logs' });
  }
  const r = outcome.response;
  const results = asts.map((a) => evaluateCondition(a, r, mask));
  const evidence = mask(`${request} → ${r.status} ${r.statusText} in ${r.responseTimeMs}ms${r.redirects.length ? ` (after ${r.redirects.length} redirect${r.redirects.length === 1 ? '' : 's'})` : ''}\n${results.map((x) => `${x.ok ? 'ok  ' : 'FAIL'} ${x.shown}`).join('\n')}`);
  const errors = results.filter((x) => x.error !== undefined);
  if (errors.length > 0) {
    return webFinding(id, 'smoke', title, 'fail', mask(`check "${c.name}": condition cannot be evaluated: ${errors.map((x) => x.error).join('; ')}`), {
      required: true, detail: `body: ${bodyExcerpt(r, mask)}`, evidence, remedy: 'fix the condition in the checks file (a configuration error: the types do not fit)',
    });
  }
  const failed = results.filter((x) => !x.ok);
  if (failed.length === 0) return webFinding(id, 'smoke', title, 'pass', mask(`${method} ${c.path}: ${r.status}, ${results.length} condition${results.length === 1 ? '' : 's'} held`), { evidence });
  return webFinding(id, 'smoke', title, 'fail', mask(`${method} ${c.path}: ${failed.map((x) => x.shown).join('; ')}`), {
    required: true, detail: `body: ${bodyExcerpt(r, mask)}`, evidence, remedy: 'the app answered but not as the check expects: read its logs, or roll back',
  });
}

const ScalarString = z.union([z.string(), z.number(), z.boolean()]).transform(String);

const CheckSchema = z.strictObject({
  name: z.string().min(1),
  method: z.string().regex(/^[A-Za-z]+$/, 'an HTTP method such as GET').optional(),
  path: z.string().min(1),
  headers: z.record(z.string(), ScalarString).optional(),
  body: z.union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())]).optional(),
  conditions: z.array(z.string()).min(1, 'at least one condition is needed, e.g. "[STATUS] == 200"'),
  mutates: z.boolean().optional(),
});

const ChecksFileSchema = z.strictObject({ checks: z.array(CheckSchema).min(1, 'at least one check is needed') });

/** A checks file that cannot be used; `issues` name the key path of each problem. */
export class ChecksFileError extends Error {
  constructor(readonly file: string, readonly issues: string[]) {
    super(`${file}: ${issues.join('; ')}`);
    this.name = 'ChecksFileError';
  }
}

function keyPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(top level)';
}

/**
 * Reads `checks: [{ name, method?, path, headers?, body?, conditions: [...], mutates? }]` from YAML or JSON text.
 * Every condition is parsed here so a typo is reported before anything is requested. Throws ChecksFileError.
 */
export function parseChecksFile(text: string, file: string): SmokeCheck[] {
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: true });
  } catch (e) {
    throw new ChecksFileError(file, [`not valid YAML/JSON: ${(e as Error).message.split('\n')[0] ?? ''}`]);
  }
  const parsed = ChecksFileSchema.safeParse(doc);
  if (!parsed.success) throw new ChecksFileError(file, parsed.error.issues.map((i) => `${keyPath(i.path)}: ${i.message}`));
  const issues: string[] = [];
  const checks = parsed.data.checks.map((c, i): SmokeCheck => {
    c.conditions.forEach((src, j) => {
      try {
        parseCondition(src);
      } catch (e) {
        if (e instanceof ConditionSyntaxError) issues.push(`checks[${i}].conditions[${j}]: column ${e.position}: expected ${e.expected}, found ${e.found}`);
        else throw e;
      }
    });
    const headers = { ...(c.headers ?? {}) };
    let body: string | undefined;
    if (typeof c.body === 'string') body = c.body;
    else if (c.body !== undefined) {
      body = JSON.stringify(c.body);
      if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
    return {
      name: c.name, method: (c.method ?? 'GET').toUpperCase(), path: c.path, conditions: c.conditions,
      ...(Object.keys(headers).length > 0 ? { headers } : {}), ...(body !== undefined ? { body } : {}), ...(c.mutates !== undefined ? { mutates: c.mutates } : {}),
    };
  });
  const names = new Map<string, number>();
  parsed.data.checks.forEach((c, i) => {
    const first = names.get(c.name);
    if (first !== undefined) issues.push(`checks[${i}].name: "${c.name}" is already the name of checks[${first}]`);
    else names.set(c.name, i);
  });
  if (issues.length > 0) throw new ChecksFileError(file, issues);
  return checks;
}

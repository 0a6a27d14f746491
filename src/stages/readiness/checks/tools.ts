// Runtimes and tools: required ones (from --require, the brief or the strategy) checked against semver ranges.
import type { Finding } from '../../../report/common.js';
import type { HostFacts, Requirements, ToolFact } from '../../../report/readiness.js';
import { finding } from './finding.js';
import type { VersionMatcher } from '../versions.js';

export const TOOL_LABEL: Record<string, string> = {
  node: 'Node.js', npm: 'npm', pnpm: 'pnpm', yarn: 'Yarn', bun: 'Bun', python3: 'Python', pip: 'pip', uv: 'uv', go: 'Go', java: 'Java',
  docker: 'Docker client', compose: 'Docker Compose', pm2: 'PM2', nginx: 'nginx', certbot: 'certbot', rsync: 'rsync', git: 'git', curl: 'curl',
};

/** The fact for a tool name; `compose` is v2 (`docker compose`) or else v1 (`docker-compose`). */
export function toolFact(f: HostFacts, name: string): ToolFact | undefined {
  if (name === 'compose') {
    const v2 = f.tools['compose-v2'];
    if (v2?.present && v2.exitCode === 0) return v2;
    if (f.tools['compose-v1']?.present) return f.tools['compose-v1'];
    // The probe runs `docker compose version` whenever docker exists: exiting non-zero (not a timeout) means no compose plugin.
    if (v2?.present && v2.exitCode !== null && !v2.timedOut) return { ...v2, present: false };
    return v2;
  }
  return f.tools[name];
}

export function checkTool(f: HostFacts, name: string, range: string | null, source: string, versions: VersionMatcher | undefined, missingIsWarning = false): Finding {
  const label = TOOL_LABEL[name] ?? name;
  const id = `runtime.${name}`;
  const t = toolFact(f, name);
  const want = range ? `${range} required` : 'required';
  const evidence = t ? `${t.path ?? name}: ${t.raw.split('\n')[0] ?? ''}${t.exitCode !== null && t.exitCode !== 0 ? ` (exit ${t.exitCode})` : ''}` : 'no probe output';
  const why = source === 'flag' ? '' : ` (by ${source})`;
  if (!t || t.present === null) {
    return finding(id, 'runtimes', label, 'unknown', `could not tell whether ${name} is installed`, { required: true, evidence, remedy: `check ${name} on the host by hand` });
  }
  if (!t.present) {
    const status = missingIsWarning ? 'warn' : 'block';
    return finding(id, 'runtimes', label, status, `not installed, ${want}${why}`, {
      required: !missingIsWarning, evidence, remedy: `install ${name}${range ? ` ${range}` : ''} on the host`,
    });
  }
  if (t.timedOut) {
    return finding(id, 'runtimes', label, 'unknown', `${name} found at ${t.path ?? '?'} but its version probe timed out`, { required: true, evidence, remedy: `run \`${name} --version\` on the host to see why it hangs` });
  }
  if (!range) {
    return finding(id, 'runtimes', label, 'pass', `${t.version ? `v${t.version}` : 'version unknown'} installed`, { evidence });
  }
  if (!versions) throw new Error('checkTool: a version range needs a VersionMatcher (loadVersionMatcher)');
  const coerced = t.version ? versions.coerce(t.version) : null;
  if (!coerced) {
    return finding(id, 'runtimes', label, 'unknown', `${name} installed but its version could not be read (${want})`, { required: true, evidence, remedy: `check \`${name} --version\` on the host` });
  }
  if (!versions.satisfies(coerced, range)) {
    return finding(id, 'runtimes', label, 'block', `${name} ${t.version} installed, ${range} required${why}`, {
      required: true, evidence, remedy: `install ${name} ${range} (installed: ${t.version})`,
    });
  }
  return finding(id, 'runtimes', label, 'pass', `v${t.version} installed (${range} required${why})`, { evidence });
}

export function checkTools(f: HostFacts, r: Requirements, versions?: VersionMatcher): Finding[] {
  return r.tools.map((t) => checkTool(f, t.name, t.range, t.source, versions, t.source === 'strategy pm2' && t.name === 'pm2'));
}

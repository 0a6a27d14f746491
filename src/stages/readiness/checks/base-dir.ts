// Permissions: write access to the deploy base directory, or to its nearest existing parent to create it.
import type { Finding } from '../../../report/common.js';
import type { HostFacts, Requirements, WriteFact } from '../../../report/readiness.js';
import { finding } from './finding.js';

const ev = (w: WriteFact): string => `test -w ${w.checkedPath ?? w.path}: ${w.writable === null ? '?' : w.writable ? 'yes' : 'no'}${w.exists === false ? ` (${w.path} does not exist yet)` : ''}`;

export function checkBaseDir(f: HostFacts, r: Requirements): Finding[] {
  const b = f.base;
  const user = f.user.name ?? 'this user';
  const id = 'permissions.base-dir';
  const title = `Deploy directory ${r.baseDir}`;
  if (b.writable === null) return [finding(id, 'permissions', title, 'unknown', 'could not test write access', { required: true, evidence: ev(b), remedy: `check permissions of ${r.baseDir} by hand` })];
  const how = b.exists ? 'writable' : `can be created (${b.checkedPath} is writable)`;
  if (b.writable) return [finding(id, 'permissions', title, 'pass', `${how} by ${user}`, { evidence: ev(b) })];
  const sudo = f.sudo.state === 'root' || f.sudo.state === 'passwordless';
  if (sudo) return [finding(id, 'permissions', title, 'pass', `not writable by ${user}, but passwordless sudo can create it and hand it over`, { evidence: `${ev(b)}; sudo -n true: ok` })];
  const home = f.homeBase;
  if (!r.baseDirExplicit && home?.writable) {
    return [finding(id, 'permissions', title, 'warn', `not writable by ${user} and no sudo; deckhand will use ${f.user.home ?? '~'}/.deckhand/apps/${r.app} instead`, {
      evidence: `${ev(b)}; ${ev(home)}`, remedy: `to use ${r.baseDir}, create it and give it to ${user} (sudo install -d -o ${user} ${r.baseDir})`,
    })];
  }
  return [finding(id, 'permissions', title, 'block', `${user} cannot write ${b.exists ? r.baseDir : b.checkedPath ?? r.baseDir} and has no passwordless sudo`, {
    required: true, evidence: ev(b), remedy: `create ${r.baseDir} owned by ${user} (sudo install -d -o ${user} ${r.baseDir}) or pass --base-dir to a writable path`,
  })];
}

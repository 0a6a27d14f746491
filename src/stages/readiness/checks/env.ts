// Required secrets: names present in the env file on the target. Values are never read into the report.
import type { Finding } from '../../../report/common.js';
import type { HostFacts } from '../../../report/readiness.js';
import { finding } from './finding.js';

export function checkEnv(f: HostFacts): Finding[] {
  const e = f.env;
  if (!e) return [];
  return e.names.map(({ name, state }) => {
    const id = `secrets.${name}`;
    const evidence = `grep for ^${name}= in ${e.file} (file ${e.state}); value not read`;
    switch (state) {
      case 'present': return finding(id, 'secrets', name, 'pass', `set in ${e.file}`, { evidence });
      case 'empty': return finding(id, 'secrets', name, 'block', `present in ${e.file} but empty`, { required: true, evidence, remedy: `give ${name} a value in ${e.file}` });
      case 'absent': return finding(id, 'secrets', name, 'block', e.state === 'missing' ? `${e.file} does not exist` : `missing from ${e.file}`, { required: true, evidence, remedy: `add ${name}=… to ${e.file} (mode 0600)` });
      default: return finding(id, 'secrets', name, 'unknown', `could not read ${e.file} (${e.state})`, { required: true, evidence, remedy: `make ${e.file} readable by the deploy user or grant passwordless sudo` });
    }
  });
}

// OS, distribution, kernel and architecture: informational, unknown when unreadable.
import type { Finding } from '../../../report/common.js';
import type { HostFacts } from '../../../report/readiness.js';
import { finding } from './finding.js';

export function checkOs(f: HostFacts): Finding[] {
  const { os } = f;
  if (!os.prettyName && !os.kernel) {
    return [finding('system.os', 'system', 'OS', 'unknown', 'could not read /etc/os-release or uname', { evidence: 'cat /etc/os-release; uname -srm', remedy: 'check that the host is a Linux system the probe can read' })];
  }
  const name = os.prettyName ?? os.name ?? 'unknown distribution';
  return [finding('system.os', 'system', 'OS', 'pass', `${name} (${os.arch ?? 'unknown arch'}), kernel ${os.kernel ?? 'unknown'}`, {
    evidence: `/etc/os-release ID=${os.id ?? '?'} VERSION_ID=${os.version ?? '?'}; uname -srm: ${os.kernel ?? '?'} ${os.arch ?? '?'}`,
  })];
}

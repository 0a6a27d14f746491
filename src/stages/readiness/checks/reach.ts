// Network dependencies: TCP reachability from the target to each --reach host:port.
import type { Finding } from '../../../report/common.js';
import type { HostFacts } from '../../../report/readiness.js';
import { finding } from './finding.js';

export function checkReach(f: HostFacts): Finding[] {
  return f.reach.map((x) => {
    const id = `network.reach.${x.host}:${x.port}`;
    const title = `Reach ${x.host}:${x.port}`;
    const evidence = `TCP connect from the target via ${x.via}: ${x.detail}`;
    if (x.reachable === null) return finding(id, 'network', title, 'unknown', x.detail, { required: true, evidence, remedy: 'install bash, python3 or nc on the host, or test the dependency by hand' });
    if (x.reachable) return finding(id, 'network', title, 'pass', 'reachable', { evidence });
    return finding(id, 'network', title, 'block', `not reachable: ${x.detail}`, { required: true, evidence, remedy: `make ${x.host}:${x.port} reachable from the target (service up? firewall? security group?)` });
  });
}

// The swarm strategy's needs: the engine is a swarm manager (stack and service commands work there), and whether the routing mesh can publish ports.
import type { Finding } from '../../../report/common.js';
import type { HostFacts } from '../../../report/readiness.js';
import { finding } from './finding.js';

const INIT = 'docker swarm init --advertise-addr <this host\'s address> (a single-node swarm), or join the host to a swarm as a manager';

export function checkSwarm(f: HostFacts): Finding[] {
  const d = f.docker;
  if (d.daemon !== 'usable') return [];
  const sw = d.swarm;
  if (!sw) return [finding('runtime.swarm', 'runtimes', 'Docker swarm', 'unknown', 'could not read the swarm state from docker info', { required: true, evidence: `docker info: ${d.detail}`, remedy: 'run `docker info --format "{{json .Swarm}}"` on the host' })];
  const evidence = `docker info: Swarm.LocalNodeState=${sw.state}, Swarm.ControlAvailable=${String(sw.manager)}`;
  const out: Finding[] = [];
  if (sw.manager) out.push(finding('runtime.swarm', 'runtimes', 'Docker swarm', 'pass', 'the engine is a swarm manager: docker stack and docker service commands work here', { evidence }));
  else if (sw.state === 'active') out.push(finding('runtime.swarm', 'runtimes', 'Docker swarm', 'block', 'the engine is a swarm worker: services are created on a manager', { required: true, evidence, remedy: 'deploy to a manager node, or promote this one (docker node promote <node>) from a manager' }));
  else out.push(finding('runtime.swarm', 'runtimes', 'Docker swarm', 'block', `the engine is not in a swarm (state ${sw.state})`, { required: true, evidence, remedy: INIT }));
  if (sw.ipvs === false) {
    out.push(finding('runtime.swarm-ipvs', 'network', 'Swarm routing mesh', 'warn', 'IPVS is not available in this kernel (/proc/net/ip_vs is absent): ports published through the ingress routing mesh will not answer', {
      evidence: '/proc/net/ip_vs: absent', remedy: 'load ip_vs (modprobe ip_vs) on the host, or set swarm.network: host in deckhand.yml (the app then binds its port with SO_REUSEPORT)',
    }));
  } else if (sw.ipvs === null) {
    out.push(finding('runtime.swarm-ipvs', 'network', 'Swarm routing mesh', 'unknown', 'could not tell whether IPVS is available for the routing mesh', { evidence: 'ipvs line missing from the probe', remedy: 'check /proc/net/ip_vs on the host' }));
  }
  return out;
}

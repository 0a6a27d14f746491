// Ports: each required port must be free; a held port names the PID, process and user holding it.
import type { Finding } from '../../../report/common.js';
import type { HostFacts, PortFact, Requirements } from '../../../report/readiness.js';
import { finding } from './finding.js';

function holderText(p: PortFact): string {
  if (p.holders.length === 0) return 'holder not visible to this user';
  return p.holders.map((h) => `PID ${h.pid} (${h.process ?? '?'}${h.program && h.program !== h.process ? `, ${h.program}` : ''}${h.user ? `, user ${h.user}` : ''})`).join(', ');
}

function one(p: PortFact, r: Requirements, proxyPort: boolean): Finding {
  const id = `port.${p.port}`;
  const title = `Port ${p.port}`;
  const evidence = p.via === 'ss' ? `ss -ltnpH 'sport = :${p.port}': ${p.listeners.join(' | ') || '(no listener)'}`
    : p.via === 'proc' ? `/proc/net/tcp{,6} (ss not found): ${p.listeners.join(' | ') || 'no LISTEN entry'}` : 'no probe output';
  if (p.state === 'unknown') {
    return finding(id, 'network', title, 'unknown', `could not tell whether port ${p.port} is free (${p.error ?? 'no data'})`, {
      required: true, evidence, remedy: `check port ${p.port} by hand (ss -ltnp or lsof -i :${p.port})`,
    });
  }
  if (p.state === 'free') return finding(id, 'network', title, 'pass', 'free', { evidence });
  const holders = holderText(p);
  if (proxyPort && p.holders.length > 0 && p.holders.every((h) => h.process === 'nginx')) {
    return finding(id, 'network', title, 'pass', `served by nginx (${holders}); deckhand adds a site to it`, { evidence });
  }
  const who = p.holders[0];
  const remedy = who
    ? `free port ${p.port} (stop PID ${who.pid}, ${who.process ?? 'unknown process'}) or choose another port`
    : `free port ${p.port} or choose another port; run the check as root to see which process holds it`;
  return finding(id, 'network', title, 'block', `IN USE by ${holders}`, { required: true, evidence, remedy });
}

export function checkPorts(f: HostFacts, r: Requirements): Finding[] {
  const proxyPorts = new Set(r.proxy ? [80, 443] : []);
  return f.ports.map((p) => one(p, r, proxyPorts.has(p.port) && !r.ports.includes(p.port)));
}

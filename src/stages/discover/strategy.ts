// Ranks candidate deployment strategies from the resolved brief, each with its reasons and what it needs.
import type { BriefData } from '../../report/brief.js';

type Strategy = BriefData['strategies'][number];
type Inputs = Pick<BriefData, 'artifacts' | 'stack' | 'commands' | 'datastores'>;

const STATIC_FRAMEWORKS = new Set(['vite', 'create-react-app', 'astro-static', 'gatsby', 'static-html']);

/** Compose files that only amend a base file (compose merges them onto it); alone they describe no project. */
const COMPOSE_OVERRIDE = /(^|\/)(docker-)?compose\.[^/]*override[^/]*\.ya?ml$/;

/** True when the app builds to static files and needs no server process. */
export function isStatic(b: Pick<Inputs, 'stack' | 'commands'>): boolean {
  return b.stack.frameworks.some((f) => STATIC_FRAMEWORKS.has(f.value.name) || (f.value.name === 'nextjs' && f.value.detail.output === 'export'))
    && !(b.commands.start?.value.production ?? false);
}

export function rankStrategies(b: Inputs): Strategy[] {
  const out: Strategy[] = [];
  const compose = b.artifacts.filter((a) => a.type === 'compose');
  const dockerfiles = b.artifacts.filter((a) => a.type === 'dockerfile');
  const k8s = b.artifacts.filter((a) => a.type === 'kubernetes' || a.type === 'helm');
  const units = b.artifacts.filter((a) => a.type === 'systemd');
  const pm2 = b.artifacts.filter((a) => a.type === 'pm2');
  const eco = b.stack.ecosystem?.value;
  const start = b.commands.start;
  const stores = b.datastores.map((d) => d.kind);

  if (compose.length > 0) {
    const base = compose.filter((c) => !COMPOSE_OVERRIDE.test(c.path));
    const services = [...new Set((base.length > 0 ? base : compose).flatMap((c) => ((c.summary.services as { name?: string }[] | undefined) ?? []).map((s) => s.name ?? '?')))];
    const needs = ['Docker engine usable by the deploy user', 'docker compose v2 (or docker-compose v1)'];
    if (base.length > 0) {
      out.push({ name: 'compose', score: 90, reasons: [`${base.map((c) => c.path).join(', ')} defines services: ${services.join(', ') || 'unknown'}`, ...(stores.length ? [`runs its datastores (${stores.join(', ')}) beside the app`] : [])], needs });
    } else {
      // An override alone (its base file missing or unparsable) is intent, not a runnable project: ranked low, and says so.
      out.push({ name: 'compose', score: 50, reasons: [`only override files (${compose.map((c) => c.path).join(', ')}) were read, for services: ${services.join(', ') || 'unknown'}; no base compose file parsed`], needs: [...needs, 'a valid base compose file (compose.yaml or docker-compose.yml)'] });
    }
  }
  if (k8s.length > 0) {
    out.push({ name: 'kubernetes', score: 85, reasons: [`Kubernetes material in the repo: ${k8s.map((a) => a.path).join(', ')}`], needs: ['a reachable cluster and kubectl context', 'permission to apply in the namespace (kubectl auth can-i)', 'an image registry the cluster can pull from'] });
  }
  if (isStatic(b)) {
    const site = b.stack.frameworks.find((f) => STATIC_FRAMEWORKS.has(f.value.name) || f.value.name === 'nextjs');
    const outDir = site?.value.detail.outDir;
    const reasons = ['the app builds to static files; no server process is needed'];
    if (site?.value.name === 'static-html') {
      reasons.push(outDir && outDir !== '.' ? `plain HTML in ${site.value.detail.source ?? '.'}/, copied by the build into ${outDir}/, with no server framework and no start command` : 'plain HTML at the app root, served as is');
    }
    out.push({ name: 'static', score: 88, reasons, needs: ['nginx on the host', 'the build run locally or on the host'] });
  }
  if (dockerfiles.length > 0) {
    out.push({ name: 'docker', score: compose.length > 0 ? 70 : 80, reasons: [`Dockerfile: ${dockerfiles.map((d) => d.path).join(', ')}`], needs: ['Docker engine usable by the deploy user'] });
  }
  // A php-fpm app answers FastCGI, not HTTP: the host's web server serves the document root and hands PHP requests on.
  const web = b.stack.frameworks.map((f) => f.value.detail).find((d) => d.webServer);
  const webNeeds = web ? [`${web.webServer} serving ${web.documentRoot ?? 'public'}/ and passing requests to ${web.server ?? 'the app'}`] : [];
  if (units.length > 0) {
    out.push({ name: 'systemd', score: 78, reasons: [`systemd unit committed: ${units.map((u) => u.path).join(', ')}`], needs: ['systemd as PID 1', 'root or passwordless sudo', 'the runtime installed on the host', ...webNeeds] });
  } else if (start?.value.production && eco && eco !== 'static') {
    out.push({ name: 'systemd', score: 60, reasons: [`a production start command: ${start.value.command}`], needs: ['systemd as PID 1', 'root or passwordless sudo', `${b.stack.runtime?.value.runtime ?? eco} ${b.stack.runtime?.value.range ?? ''} on the host`.trim(), ...webNeeds] });
  }
  if ((eco === 'node' || eco === 'bun') && (pm2.length > 0 || start?.value.production)) {
    // pm2 itself runs on Node: for a Bun server with no pm2 file, a systemd unit running bun needs one runtime, not two.
    const score = pm2.length > 0 ? 82 : eco === 'bun' ? 55 : 62;
    const reasons = pm2.length > 0 ? [`pm2 ecosystem file: ${pm2.map((p) => p.path).join(', ')}`] : [`a ${eco === 'bun' ? 'Bun' : 'Node.js'} server with a production start command`];
    out.push({ name: 'pm2', score, reasons, needs: eco === 'bun' ? ['bun on the host', 'node on the host (pm2 runs on it)', 'pm2 (installed by the deploy if missing)'] : ['node on the host', 'pm2 (installed by the deploy if missing)'] });
  }
  return out.sort((a, b2) => b2.score - a.score);
}

// Ranks candidate deployment strategies from the resolved brief, each with its reasons and what it needs.
import type { BriefData } from '../../report/brief.js';
import { isDevCommand } from './detectors/artifacts/dockerfile.js';

type Strategy = BriefData['strategies'][number];
type Inputs = Pick<BriefData, 'artifacts' | 'stack' | 'commands' | 'datastores'>;

const STATIC_FRAMEWORKS = new Set(['vite', 'create-react-app', 'astro-static', 'gatsby', 'static-html']);

/** Compose files that only amend a base file (compose merges them onto it); alone they describe no project. */
const COMPOSE_OVERRIDE = /(^|\/)(docker-)?compose\.[^/]*override[^/]*\.ya?ml$/;

/** Compose and Dockerfile variants meant for development, whose dev-server command is expected. */
const DEV_VARIANT = /(^|[./_-])(dev|development|local)([./_-]|$)/i;

type Artifact = Inputs['artifacts'][number];

/**
 * Containers whose command is a dev server (runserver, cargo watch, flask run, npm run dev, nodemon …): the
 * compose app services' `command` and the Dockerfiles' CMD/ENTRYPOINT, development variants left out.
 */
export function containerDevServers(artifacts: readonly Artifact[]): { strategy: 'compose' | 'docker'; path: string; command: string }[] {
  const out: { strategy: 'compose' | 'docker'; path: string; command: string }[] = [];
  for (const a of artifacts) {
    const base = a.path.slice(a.path.lastIndexOf('/') + 1);
    if (DEV_VARIANT.test(base) || COMPOSE_OVERRIDE.test(a.path)) continue;
    if (a.type === 'compose') {
      const apps = a.summary.appServices as string[] | undefined;
      for (const svc of (a.summary.services as { name?: string; command?: string }[] | undefined) ?? []) {
        if (svc.command && (apps === undefined || apps.includes(svc.name ?? '')) && isDevCommand(svc.command)) out.push({ strategy: 'compose', path: a.path, command: svc.command });
      }
    } else if (a.type === 'dockerfile') {
      const cmd = [a.summary.entrypoint, a.summary.cmd].filter((x): x is string => typeof x === 'string').join(' ');
      if (cmd && isDevCommand(cmd)) out.push({ strategy: 'docker', path: a.path, command: cmd });
    }
  }
  return out;
}

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

  const devServers = containerDevServers(b.artifacts);
  // A container that runs a dev server is not what production should run: when the repo also has a production
  // start command, the host strategies rank above it (the reason says why).
  const devDemoted = (strategy: 'compose' | 'docker'): boolean => devServers.some((d) => d.strategy === strategy) && b.commands.start?.value.production === true;
  const devReason = (strategy: 'compose' | 'docker'): string[] => devServers.filter((d) => d.strategy === strategy)
    .map((d) => `the container runs a dev server (${d.command}, ${d.path}): replace it with a production command before deploying`);
  if (compose.length > 0) {
    const base = compose.filter((c) => !COMPOSE_OVERRIDE.test(c.path));
    const services = [...new Set((base.length > 0 ? base : compose).flatMap((c) => ((c.summary.services as { name?: string }[] | undefined) ?? []).map((s) => s.name ?? '?')))];
    const needs = ['Docker engine usable by the deploy user', 'docker compose v2 (or docker-compose v1)'];
    // A summary that does not list appServices (built by hand, not by the compose detector) is taken to run the app.
    const runsApp = base.some((c) => (c.summary.appServices as string[] | undefined)?.length !== 0);
    if (base.length > 0 && !runsApp) {
      // Only datastores and tooling (a database for local runs): the app itself is deployed some other way.
      out.push({ name: 'compose', score: 45, reasons: [`${base.map((c) => c.path).join(', ')} runs only datastores and tooling (${services.join(', ') || 'unknown'}); no service builds or runs the app`], needs });
    } else if (base.length > 0) {
      out.push({ name: 'compose', score: devDemoted('compose') ? 55 : 90, reasons: [`${base.map((c) => c.path).join(', ')} defines services: ${services.join(', ') || 'unknown'}`, ...(stores.length ? [`runs its datastores (${stores.join(', ')}) beside the app`] : []), ...devReason('compose')], needs });
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
    out.push({ name: 'docker', score: devDemoted('docker') ? 54 : compose.length > 0 ? 70 : 80, reasons: [`Dockerfile: ${dockerfiles.map((d) => d.path).join(', ')}`, ...devReason('docker')], needs: ['Docker engine usable by the deploy user'] });
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

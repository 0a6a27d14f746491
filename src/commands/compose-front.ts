// Pure pieces of the compose zero-downtime front: which service nginx fronts, its rewritten compose file (ephemeral loopback port, release label) and its settings file.
import { isMap, isSeq, parseDocument, type Document } from 'yaml';
import { DeckhandError } from '../core/errors.js';
import { parsePort, type ComposePort } from '../stages/discover/detectors/artifacts/compose.js';

/** The generated compose file, written next to the release's own: the project directory (build contexts, `.env`) stays the same. */
export const FRONT_COMPOSE_FILE = 'docker-compose.deckhand.yml';
/** The compose file names compose itself looks for, in its order. */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yaml', 'docker-compose.yml'] as const;
/** Files compose merges in by itself when no -f is given; the front runs with -f, so it would silently drop them. */
export const COMPOSE_OVERRIDE_NAMES = ['compose.override.yaml', 'compose.override.yml', 'docker-compose.override.yaml', 'docker-compose.override.yml'] as const;
/** The label that says which release a fronted container runs (how a rerun sees there is nothing to replace). */
export const RELEASE_LABEL = 'deckhand.release';

/** What the compose zero-downtime front needs, resolved when the deploy is planned. */
export interface ComposeFront {
  /** The release's compose file (relative to the app) and its text. */
  file: string;
  source: string;
  /** The service nginx fronts and the port it listens on inside its container. */
  service: string;
  containerPort: number;
  /** The port nginx listens on for clients. */
  proxyPort: number;
  /** How long the old container may finish its requests after the switch. */
  drainSec: number;
}

/** A service of the compose file with the ports it publishes. */
export interface ServicePorts { name: string; ports: ComposePort[] }

function load(text: string, file: string): Document {
  const doc = parseDocument(text, { merge: true });
  const err = doc.errors[0];
  if (err) throw new DeckhandError('config', `${file} is not valid YAML: ${err.message.split('\n')[0] ?? ''}`, { hint: 'fix the compose file (`docker compose config` shows the error too)' });
  return doc;
}

function servicesOf(doc: Document, file: string): Record<string, Record<string, unknown>> {
  const js = doc.toJS({ maxAliasCount: 1000 }) as { services?: unknown } | null;
  const services = js?.services;
  if (!services || typeof services !== 'object' || Array.isArray(services)) {
    throw new DeckhandError('config', `${file} has no services`, { hint: 'zero downtime replaces a service of the compose file: define one under services:' });
  }
  return services as Record<string, Record<string, unknown>>;
}

/** Every service with the ports it publishes (long and short syntax, `${VAR:-default}` read as the default). */
export function composeServicePorts(text: string, file: string): ServicePorts[] {
  const services = servicesOf(load(text, file), file);
  return Object.entries(services).map(([name, svc]) => ({
    name,
    ports: (Array.isArray(svc?.ports) ? svc.ports : []).map(parsePort).filter((p): p is ComposePort => p !== null),
  }));
}

/**
 * The service nginx fronts and its container port: the configured one, else the service publishing the app port
 * (as host port, then as container port), else the only service publishing any port.
 */
export function chooseFrontService(services: readonly ServicePorts[], want: { service?: string; containerPort?: number; appPort: number | null }, file: string): { service: string; containerPort: number; published: number | null } {
  const withPorts = services.filter((s) => s.ports.length > 0);
  let svc: ServicePorts | undefined;
  let port: ComposePort | undefined;
  if (want.service !== undefined) {
    svc = services.find((s) => s.name === want.service);
    if (!svc) throw new DeckhandError('config', `compose.service "${want.service}" is not a service of ${file} (${services.map((s) => s.name).join(', ')})`, { hint: 'set compose.service in deckhand.yml to the service nginx should front' });
  } else if (want.appPort !== null) {
    for (const s of withPorts) {
      port = s.ports.find((p) => p.published === want.appPort) ?? s.ports.find((p) => p.target === want.appPort);
      if (port) { svc = s; break; }
    }
  }
  if (!svc && withPorts.length === 1) svc = withPorts[0];
  if (!svc) {
    throw new DeckhandError('config', `cannot tell which service of ${file} nginx should front: ${withPorts.length === 0 ? 'no service publishes a port' : `${withPorts.map((s) => s.name).join(', ')} publish ports and none publishes the app port ${want.appPort ?? '(unknown)'}`}`, {
      hint: 'set compose.service (and compose.container_port when it publishes no port) in deckhand.yml',
    });
  }
  port ??= want.containerPort !== undefined ? svc.ports.find((p) => p.target === want.containerPort) : svc.ports.length === 1 ? svc.ports[0] : undefined;
  const containerPort = want.containerPort ?? port?.target ?? null;
  if (containerPort === null) {
    throw new DeckhandError('config', `cannot tell the container port of ${svc.name} in ${file}: ${svc.ports.length === 0 ? 'it publishes no port' : 'it publishes several'}`, {
      hint: 'set compose.container_port in deckhand.yml (the port the service listens on inside its container)',
    });
  }
  return { service: svc.name, containerPort, published: port?.published ?? null };
}

/** Settings that would stop two containers of the fronted service from running side by side. */
function refuseUnscalable(svc: Record<string, unknown>, name: string, file: string): void {
  const why = typeof svc.container_name === 'string' ? `it sets container_name ${svc.container_name} (two containers cannot share a name)`
    : svc.network_mode === 'host' ? 'it uses network_mode: host (two containers cannot listen on one host port)'
      : (typeof svc.scale === 'number' && svc.scale !== 1) || (isRecordish(svc.deploy) && typeof svc.deploy.replicas === 'number' && svc.deploy.replicas !== 1)
        ? 'it asks for several replicas (the replacement runs one new container beside one old)' : null;
  if (why) throw new DeckhandError('config', `${name} in ${file} cannot be replaced with zero downtime: ${why}`, { hint: `remove that setting from ${name}, or deploy without zero_downtime` });
}

function isRecordish(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The release's compose file with the fronted service rewritten so two of its containers can run at once: every
 * port it publishes goes to an ephemeral loopback host port (`127.0.0.1::<container port>`; nginx reaches it
 * there), and its containers carry the release id as a label. A file, not an override: compose merges the
 * `ports` of an override with the base file's, so the fixed host port could not be taken away. `${VAR}`
 * interpolations stay as written, so no value from the env file lands in the generated file.
 */
export function renderFrontCompose(front: Pick<ComposeFront, 'file' | 'source' | 'service' | 'containerPort'>, releaseId: string): string {
  const doc = load(front.source, front.file);
  const svc = servicesOf(doc, front.file)[front.service];
  if (!svc) throw new DeckhandError('config', `${front.service} is not a service of ${front.file}`, { hint: 'set compose.service in deckhand.yml' });
  refuseUnscalable(svc, front.service, front.file);
  const targets = (Array.isArray(svc.ports) ? svc.ports : []).map(parsePort).filter((p): p is ComposePort => p !== null && p.target !== null);
  const ports = [...new Set([front.containerPort, ...targets.filter((p) => (p.protocol ?? 'tcp') === 'tcp').map((p) => p.target as number)])].map((t) => `127.0.0.1::${t}`);
  for (const p of targets) if (p.protocol && p.protocol !== 'tcp') ports.push(`127.0.0.1::${p.target}/${p.protocol}`);
  const labels: Record<string, string> = {};
  if (Array.isArray(svc.labels)) {
    for (const l of svc.labels) { const [k, ...v] = String(l).split('='); if (k) labels[k] = v.join('='); }
  } else if (isRecordish(svc.labels)) {
    for (const [k, v] of Object.entries(svc.labels)) labels[k] = String(v ?? '');
  }
  labels[RELEASE_LABEL] = releaseId;
  const node = doc.getIn(['services', front.service], true);
  if (!isMap(node)) throw new DeckhandError('config', `${front.service} in ${front.file} is not a mapping`, { hint: 'fix the compose file' });
  node.set('ports', doc.createNode(ports));
  node.set('labels', doc.createNode(labels));
  const ports0 = node.get('ports', true);
  if (isSeq(ports0)) ports0.flow = false;
  doc.commentBefore = ` Generated by deckhand from ${front.file} (zero downtime): ${front.service} publishes ${ports.join(', ')} so a new container can run beside the old one behind nginx.${doc.commentBefore ? `\n${doc.commentBefore}` : ''}`;
  return doc.toString({ lineWidth: 0 });
}

/** The settings file the replacement command reads on the target (`key value` lines, never evaluated). */
export function renderFrontConf(front: Pick<ComposeFront, 'service' | 'containerPort' | 'proxyPort' | 'drainSec'>): string {
  return [
    '# Generated by deckhand (compose zero downtime): the service nginx fronts, its container port, the nginx port, the drain bound in seconds, the compose file.',
    `service ${front.service}`,
    `port ${front.containerPort}`,
    `proxy ${front.proxyPort}`,
    `drain ${front.drainSec}`,
    `file ${FRONT_COMPOSE_FILE}`,
    '',
  ].join('\n');
}

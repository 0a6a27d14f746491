// Compose detector: parses compose files (anchors, merge keys) into services, ports, datastores, env names and the app's port.
import type { Document } from 'yaml';
import type { Datastore, DetectContext, Detector, Signal } from '../../types.js';
import {
  EnvCollector, ENV_NAME, citeSafe, filesIn, healthPath, interpolations, isRecord, maker, num, parseYaml, splitImage, str, toJS,
  validPort, yamlCite,
} from './shared.js';

const NAME = 'artifacts-compose';
const make = maker(NAME, 'deploy-material');

export const isComposeName = (base: string): boolean =>
  /^(docker-)?compose(\.[^/]+)?\.ya?ml$/i.test(base);

const DATASTORES: [RegExp, Datastore][] = [
  [/(^|\/)(postgres|postgresql|postgis|timescaledb(-ha)?|pgvector)$|^supabase\/postgres$/, 'postgresql'],
  [/(^|\/)(mysql|mariadb|mysql-server|percona)$/, 'mysql'],
  [/(^|\/)(mongo|mongodb|mongodb-community-server)$/, 'mongodb'],
  [/(^|\/)(redis|redis-stack|redis-stack-server|valkey|keydb|dragonfly)$/, 'redis'],
  [/(^|\/)rabbitmq$/, 'rabbitmq'],
  [/^bitnami\/kafka$|^confluentinc\/|^apache\/kafka|(^|\/)kafka$|^redpandadata\/redpanda$/, 'kafka'],
  [/(^|\/)(elasticsearch|opensearch)$|^elasticsearch\//, 'elasticsearch'],
  [/(^|\/)minio$/, 's3'],
  [/(^|\/)(mailhog|mailpit)$/, 'smtp'],
];

/** Datastore kind of an image (`postgres:16-alpine` → postgresql), or null. */
export function datastoreOfImage(image: string): Datastore | null {
  const { repo } = splitImage(image);
  // bitnami/postgresql, bitnami/redis …: the last segment decides.
  return DATASTORES.find(([re]) => re.test(repo))?.[1] ?? null;
}

/** Images that run tooling beside an app (admin UIs, proxies, tracing, metrics), never the app itself. */
const INFRA_IMAGES = /(^|\/)(adminer|phpmyadmin|pgadmin4?|traefik|mongo-express|redis-commander|redisinsight|prometheus|grafana|jaeger|all-in-one|zipkin|opentelemetry-collector(-contrib)?|zookeeper|cp-zookeeper|localstack|kibana|portainer|watchtower|nginx-proxy|acme-companion|cadvisor|node-exporter)$/;

/** Whether a service's image is tooling beside an app (adminer, traefik, grafana …). */
export function isInfraImage(image: string): boolean {
  return INFRA_IMAGES.test(splitImage(image).repo);
}

export interface ComposePort { published: number | null; target: number | null; hostIp?: string; protocol?: string; publishedVar?: string }

/** Short ("8080:3000", "127.0.0.1:80:80/tcp", "3000", "[::1]:80:80") and long port syntax. */
export function parsePort(p: unknown): ComposePort | null {
  if (isRecord(p)) {
    const target = num(p.target) ?? null;
    const published = num(typeof p.published === 'string' ? p.published.split('-')[0] : p.published) ?? null;
    const out: ComposePort = { published, target };
    if (typeof p.host_ip === 'string') out.hostIp = p.host_ip;
    if (typeof p.protocol === 'string') out.protocol = p.protocol;
    return target === null && published === null ? null : out;
  }
  const raw = str(p);
  if (raw === undefined) return null;
  // `${PORT:-8080}:3000`: a default stands for the value; a bare `${PORT}` is published from the environment.
  let publishedVar: string | undefined;
  const s = raw.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?[^}]*\}/g, (_m, name: string, def: string | undefined) => {
    if (def !== undefined) return def;
    publishedVar = name;
    return '';
  });
  let rest = s.trim();
  let protocol: string | undefined;
  const slash = rest.lastIndexOf('/');
  if (slash >= 0) { protocol = rest.slice(slash + 1); rest = rest.slice(0, slash); }
  const c = rest.lastIndexOf(':');
  const targetRaw = c >= 0 ? rest.slice(c + 1) : rest;
  let left = c >= 0 ? rest.slice(0, c) : '';
  let hostIp: string | undefined;
  const c2 = left.lastIndexOf(':');
  if (c2 >= 0 && !left.endsWith(']')) { hostIp = left.slice(0, c2).replace(/^\[|\]$/g, ''); left = left.slice(c2 + 1); }
  else if (left.startsWith('[')) { hostIp = left.replace(/^\[|\]$/g, ''); left = ''; }
  const first = (x: string): number | null => { const n = num(x.split('-')[0] ?? ''); return n ?? null; };
  const out: ComposePort = { published: left === '' ? null : first(left), target: first(targetRaw) };
  if (hostIp) out.hostIp = hostIp;
  if (protocol) out.protocol = protocol;
  if (out.published === null && publishedVar !== undefined && c >= 0) out.publishedVar = publishedVar;
  return out.target === null ? null : out;
}

/** Environment names from the list (`- A=1`, `- A`) or map form; values are never kept. */
function environmentNames(env: unknown): { name: string; passThrough: boolean }[] {
  if (Array.isArray(env)) {
    return env.flatMap((e) => {
      const s = str(e);
      if (s === undefined) return [];
      const eq = s.indexOf('=');
      const name = (eq < 0 ? s : s.slice(0, eq)).trim();
      return ENV_NAME.test(name) ? [{ name, passThrough: eq < 0 }] : [];
    });
  }
  if (isRecord(env)) return Object.entries(env).filter(([k]) => ENV_NAME.test(k)).map(([name, v]) => ({ name, passThrough: v === null || v === undefined }));
  return [];
}

function healthcheckText(hc: unknown): string | undefined {
  if (!isRecord(hc)) return undefined;
  if (hc.disable === true) return undefined;
  const t = hc.test;
  if (Array.isArray(t)) {
    const parts = t.map((x) => String(x));
    if (parts[0] === 'NONE') return undefined;
    if (parts[0] === 'CMD' || parts[0] === 'CMD-SHELL') parts.shift();
    return parts.join(' ');
  }
  return str(t);
}

export interface ComposeService {
  name: string;
  image?: string;
  build?: { context: string; dockerfile?: string };
  ports: ComposePort[];
  volumes: string[];
  dependsOn: { name: string; condition?: string }[];
  healthcheck?: string;
  profiles?: string[];
  environment: string[];
  envFile?: string[];
  command?: string;
  /** Port a reverse proxy (Traefik) is told the service listens on, from its labels. */
  labelPort?: { port: number; index: number };
}

function listOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.map((x) => (isRecord(x) ? str(x.path) ?? str(x.source) ?? '' : str(x) ?? '')).filter(Boolean);
  const s = str(v);
  return s === undefined ? [] : [s];
}

function volumeText(v: unknown): string {
  if (isRecord(v)) return `${str(v.source) ?? ''}:${str(v.target) ?? ''}`.replace(/^:/, '');
  return str(v) ?? '';
}

/** Parses one compose file into signals; `appDir` picks the app service when several have a build. */
export function analyzeCompose(path: string, text: string, appDir: string): Signal[] {
  const parsed = parseYaml(path, text, NAME);
  if (!parsed.ok) return [parsed.problem];
  const doc: Document = parsed.doc;
  const data = toJS(doc);
  if (!isRecord(data)) {
    return [make({ kind: 'problem', message: `${path} is not a compose file (its top level is not a mapping)` }, [{ file: path, line: 1 }])];
  }
  const signals: Signal[] = [];
  const env = new EnvCollector();
  // Interpolation anywhere in the file (comments excluded).
  const noComments = text.replace(/(^|\s)#.*$/gm, (m, pre: string) => pre + ' '.repeat(m.length - pre.length));
  const interp = interpolations(noComments);
  for (const i of interp) env.add(i.name, i.required, citeSafe(path, text, i.index), { soft: i.bare });

  const rawServices = isRecord(data.services) ? data.services : {};
  const services: ComposeService[] = [];
  const stores: { svc: ComposeService; kind: Datastore }[] = [];
  const portRaw = new Map<ComposePort, number>(); // parsed port → its index in the file, for evidence
  for (const [name, raw] of Object.entries(rawServices)) {
    if (!isRecord(raw)) continue;
    const svc: ComposeService = { name, ports: [], volumes: [], dependsOn: [], environment: [] };
    const image = str(raw.image);
    if (image) svc.image = image;
    if (raw.build !== undefined && raw.build !== null) {
      if (isRecord(raw.build)) {
        svc.build = { context: str(raw.build.context) ?? '.' };
        const df = str(raw.build.dockerfile);
        if (df) svc.build.dockerfile = df;
      } else svc.build = { context: str(raw.build) ?? '.' };
    }
    if (Array.isArray(raw.ports)) raw.ports.forEach((p, i) => { const pp = parsePort(p); if (pp) { svc.ports.push(pp); portRaw.set(pp, i); } });
    if (Array.isArray(raw.volumes)) svc.volumes = raw.volumes.map(volumeText).filter(Boolean);
    if (Array.isArray(raw.depends_on)) svc.dependsOn = raw.depends_on.map((d) => ({ name: String(d) }));
    else if (isRecord(raw.depends_on)) {
      svc.dependsOn = Object.entries(raw.depends_on).map(([d, v]) => {
        const cond = isRecord(v) ? str(v.condition) : undefined;
        return cond ? { name: d, condition: cond } : { name: d };
      });
    }
    const hc = healthcheckText(raw.healthcheck);
    if (hc) svc.healthcheck = hc;
    if (Array.isArray(raw.profiles)) svc.profiles = raw.profiles.map(String);
    const envNames = environmentNames(raw.environment);
    svc.environment = envNames.map((e) => e.name);
    const envFile = listOf(raw.env_file);
    if (envFile.length) svc.envFile = envFile;
    const cmd = Array.isArray(raw.command) ? raw.command.map(String).join(' ') : str(raw.command);
    if (cmd) svc.command = cmd;
    const labels = Array.isArray(raw.labels) ? raw.labels.map((l) => str(l) ?? '') : isRecord(raw.labels) ? Object.entries(raw.labels).map(([k, v]) => `${k}=${str(v) ?? ''}`) : [];
    const lp = labels.findIndex((l) => /^traefik\.http\.services\.[^=]*\.loadbalancer\.server\.port=\d+$/.test(l.trim()));
    const lpPort = lp >= 0 ? num(labels[lp]?.split('=').pop()) : undefined;
    if (validPort(lpPort)) svc.labelPort = { port: lpPort, index: lp };
    services.push(svc);

    const ds = image ? datastoreOfImage(image) : null;
    if (ds) {
      stores.push({ svc, kind: ds });
    } else {
      for (const e of envNames) {
        // `- NAME` passes the host's value through (it must be set); `NAME: value` provides it to the app.
        env.add(e.name, e.passThrough, yamlCite(path, doc, text, ['services', name, 'environment', ...(Array.isArray(raw.environment) ? [raw.environment.findIndex((x) => String(x).split('=')[0] === e.name)] : [e.name])], true));
      }
    }
  }

  // Services that run the app: built from the repo, or an image that is neither a datastore nor tooling beside it.
  const appServices = services.filter((s) => s.build || !s.image || (!datastoreOfImage(s.image) && !isInfraImage(s.image)));
  // A datastore is required when an app service waits for it (depends_on); one that merely sits in the file may be
  // an optional profile (the app can default to an embedded database), so the app's own config decides.
  for (const { svc, kind } of stores) {
    const needed = appServices.some((a) => a.dependsOn.some((d) => d.name === svc.name));
    signals.push(make({ kind: 'datastore', value: kind, required: needed ? true : null }, [yamlCite(path, doc, text, ['services', svc.name, 'image'])], svc.profiles ? 'medium' : 'high'));
  }

  // The app: a service built from the repo (the one built from the app dir first) that is reachable — a published
  // port, or only a healthcheck / reverse-proxy labels (Traefik routes to it without publishing a port).
  const isPublished = (p: ComposePort): boolean => p.published !== null || p.publishedVar !== undefined;
  const reachable = (s: ComposeService): number => (s.ports.some(isPublished) ? 3 : s.healthcheck ? 2 : s.labelPort ? 1 : 0);
  const built = services.filter((s) => s.build && reachable(s) > 0).sort((a, b) => reachable(b) - reachable(a));
  const rel = (ctx: string): string => {
    const base = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '';
    const joined = [...base.split('/'), ...ctx.split('/')].filter((x) => x !== '' && x !== '.');
    const stack: string[] = [];
    for (const p of joined) { if (p === '..') stack.pop(); else stack.push(p); }
    return stack.join('/');
  };
  const app = built.find((s) => s.build && rel(s.build.context) === appDir) ?? built[0];
  if (app) {
    const portIdx = app.ports.findIndex(isPublished);
    const port = app.ports[portIdx];
    const conf = built.length > 1 ? 'medium' : 'high';
    if (port && validPort(port.target ?? undefined) && port.target !== null) {
      signals.push(make({ kind: 'port', port: port.target }, [yamlCite(path, doc, text, ['services', app.name, 'ports', portRaw.get(port) ?? portIdx])], conf));
    } else if (!port && app.labelPort) {
      signals.push(make({ kind: 'port', port: app.labelPort.port }, [yamlCite(path, doc, text, ['services', app.name, 'labels', app.labelPort.index])], conf));
    }
    if (app.healthcheck) {
      const hp = healthPath(app.healthcheck);
      if (hp) signals.push(make({ kind: 'health', path: hp }, [yamlCite(path, doc, text, ['services', app.name, 'healthcheck', 'test'])], 'high'));
    }
  }

  const summary = {
    services: services.map((s) => ({
      name: s.name,
      ...(s.image ? { image: s.image } : {}),
      ...(s.build ? { build: s.build } : {}),
      ports: s.ports.map((p) => ({ published: p.published, target: p.target })),
      volumes: s.volumes,
      dependsOn: s.dependsOn.map((d) => d.name),
      ...(s.dependsOn.some((d) => d.condition) ? { dependsOnConditions: Object.fromEntries(s.dependsOn.filter((d) => d.condition).map((d) => [d.name, d.condition])) } : {}),
      ...(s.healthcheck ? { healthcheck: s.healthcheck } : {}),
      ...(s.profiles ? { profiles: s.profiles } : {}),
      environment: s.environment,
      ...(s.envFile ? { envFile: s.envFile } : {}),
      ...(s.command ? { command: s.command } : {}),
    })),
    ...(app ? { app: app.name } : {}),
    appServices: appServices.map((s) => s.name),
    ...(isRecord(data.volumes) ? { volumes: Object.keys(data.volumes) } : {}),
    interpolated: [...new Set(interp.map((i) => i.name))],
  };
  const topEv = yamlCite(path, doc, text, ['services']);
  signals.unshift(make({ kind: 'artifact', type: 'compose', path, summary }, [topEv]));
  signals.push(...env.signals(make));
  return signals;
}

/** Packages whose install makes a locally built image a datastore (Debian/Alpine/RHEL names). */
const DATASTORE_PACKAGES: [RegExp, Datastore][] = [
  [/^postgresql(-\d+)?$|^postgresql\d*-server$/, 'postgresql'],
  [/^(mysql-server|mariadb-server|mariadb)$/, 'mysql'],
  [/^(mongodb-org|mongodb-server|mongodb)$/, 'mongodb'],
  [/^(redis-server|redis|valkey|valkey-server)$/, 'redis'],
  [/^rabbitmq-server$/, 'rabbitmq'],
];

/**
 * A service built locally whose image names no datastore (`build: ./db`) is still one when its Dockerfile
 * installs the server package: the stack runs that datastore beside the app.
 */
async function builtDatastores(ctx: DetectContext, composePath: string, signals: readonly Signal[]): Promise<Signal[]> {
  const art = signals.find((s): s is Extract<Signal, { kind: 'artifact' }> => s.kind === 'artifact');
  const services = (art?.summary.services ?? []) as { name: string; image?: string; build?: { context: string; dockerfile?: string } }[];
  const base = composePath.includes('/') ? composePath.slice(0, composePath.lastIndexOf('/')) : '';
  const out: Signal[] = [];
  for (const svc of services) {
    if (!svc.build || (svc.image && datastoreOfImage(svc.image))) continue;
    const parts: string[] = [];
    for (const seg of [...base.split('/'), ...svc.build.context.split('/'), ...(svc.build.dockerfile ?? 'Dockerfile').split('/')]) {
      if (seg === '..') parts.pop(); else if (seg !== '' && seg !== '.') parts.push(seg);
    }
    const dockerfile = parts.join('/');
    const text = ctx.repo.has(dockerfile) ? await ctx.repo.read(dockerfile) : null;
    if (!text) continue;
    // Continuation lines joined with same-length blanks, so match offsets still cite the right line.
    const joined = text.replace(/\\(\r?\n)/g, (m) => ' '.repeat(m.length));
    for (const m of joined.matchAll(/\b(?:apt-get|apt|apk|dnf|yum|microdnf)\s+(?:install|add)\b[^&;|\n]*/g)) {
      const pkg = [...m[0].matchAll(/\S+/g)].find((p) => DATASTORE_PACKAGES.some(([re]) => re.test(p[0].replace(/[=:].*$/, ''))));
      const kind = pkg ? DATASTORE_PACKAGES.find(([re]) => re.test(pkg[0].replace(/[=:].*$/, '')))?.[1] : undefined;
      if (!pkg || !kind) continue;
      out.push(make({ kind: 'datastore', value: kind, required: true }, [citeSafe(dockerfile, text, m.index + pkg.index)], 'high'));
      break;
    }
  }
  return out;
}

export const composeDetector: Detector = {
  name: NAME,
  async detect(ctx: DetectContext): Promise<Signal[]> {
    const files = [...filesIn(ctx, ctx.appDir, isComposeName), ...(ctx.appDir !== '' ? filesIn(ctx, '', isComposeName) : [])];
    const out: Signal[] = [];
    for (const f of files) {
      const text = await ctx.repo.read(f.path);
      if (text === null) continue;
      try {
        const signals = analyzeCompose(f.path, text, ctx.appDir);
        out.push(...signals, ...await builtDatastores(ctx, f.path, signals));
      } catch (e) {
        out.push(make({ kind: 'problem', message: `${f.path}: could not read compose file: ${(e as Error).message.split('\n')[0]}` }, [{ file: f.path, line: null }]));
      }
    }
    return out;
  },
};

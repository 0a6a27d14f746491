// Platform hint detector: fly.toml, render.yaml, app.json, railway.json/toml, vercel.json, netlify.toml → small summaries.
import type { Datastore, DetectContext, Detector, Signal } from '../../types.js';
import { citeMatch } from '../../evidence.js';
import { EnvCollector, ENV_NAME, filesIn, isRecord, maker, num, parseJsonFile, parseTomlFile, parseYaml, str, toJS, validPort, yamlCite } from './shared.js';

const NAME = 'artifacts-platform';
const make = maker(NAME, 'deploy-material');

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Evidence for the first line that mentions `key` (TOML/JSON keys), values redacted. */
function keyCite(path: string, text: string, key: string, safe = false): { file: string; line: number | null; text?: string } {
  const e = citeMatch(path, text, new RegExp(`^\\s*"?${esc(key)}"?\\s*[=:]`, 'm')) ?? citeMatch(path, text, new RegExp(esc(key)));
  if (!e) return { file: path, line: null };
  // JSON lines can hold several keys (a one-line app.json holds every value): cite the key alone.
  return safe || path.endsWith('.json') ? { file: path, line: e.line, text: key } : e;
}

function fly(path: string, text: string): Signal[] {
  const p = parseTomlFile(path, text, NAME);
  if (!p.ok) return [p.problem];
  const t = p.value;
  const out: Signal[] = [];
  const http = isRecord(t.http_service) ? t.http_service : null;
  const services = Array.isArray(t.services) ? t.services.filter(isRecord) : [];
  const port = num(http?.internal_port) ?? num(services[0]?.internal_port);
  if (validPort(port)) out.push(make({ kind: 'port', port }, [keyCite(path, text, 'internal_port')]));
  const checks = [...(Array.isArray(http?.checks) ? http.checks : []), ...services.flatMap((s) => (Array.isArray(s.http_checks) ? s.http_checks : []))];
  for (const c of checks) if (isRecord(c) && typeof c.path === 'string') out.push(make({ kind: 'health', path: c.path }, [keyCite(path, text, 'path')]));
  const env = new EnvCollector();
  const envNames = isRecord(t.env) ? Object.keys(t.env).filter((n) => ENV_NAME.test(n)) : [];
  for (const n of envNames) env.add(n, false, keyCite(path, text, n, true));
  const deploy = isRecord(t.deploy) ? t.deploy : {};
  const release = str(deploy.release_command);
  if (release) out.push(make({ kind: 'command', role: 'release', command: release, production: true }, [keyCite(path, text, 'release_command')]));
  const build = isRecord(t.build) ? t.build : {};
  out.unshift(make({ kind: 'artifact', type: 'platform-hint', path, summary: {
    platform: 'fly', app: str(t.app) ?? null, primaryRegion: str(t.primary_region) ?? null, internalPort: port ?? null,
    dockerfile: str(build.dockerfile) ?? null, image: str(build.image) ?? null, env: envNames, releaseCommand: release ?? null,
  } }, [{ file: path, line: 1 }]));
  out.push(...env.signals(make));
  return out;
}

function render(path: string, text: string): Signal[] {
  const p = parseYaml(path, text, NAME);
  if (!p.ok) return [p.problem];
  const v = toJS(p.doc);
  const root = isRecord(v) ? v : {};
  const out: Signal[] = [];
  const env = new EnvCollector();
  const services = Array.isArray(root.services) ? root.services : [];
  const summary = services.flatMap((s, i) => {
    if (!isRecord(s)) return [];
    const base = ['services', i];
    for (const [key, role] of [['buildCommand', 'build'], ['startCommand', 'start'], ['preDeployCommand', 'release']] as const) {
      const cmd = str(s[key]);
      if (cmd) out.push(make({ kind: 'command', role, command: cmd, production: true }, [yamlCite(path, p.doc, text, [...base, key])], 'medium'));
    }
    const hc = str(s.healthCheckPath);
    if (hc) out.push(make({ kind: 'health', path: hc }, [yamlCite(path, p.doc, text, [...base, 'healthCheckPath'])]));
    const vars = Array.isArray(s.envVars) ? s.envVars : [];
    const names: string[] = [];
    vars.forEach((e, ei) => {
      if (!isRecord(e) || typeof e.key !== 'string') return;
      names.push(e.key);
      // sync: false = set by hand in the dashboard (required); value/generateValue/fromDatabase = provided.
      const required = e.sync === false ? true : e.value !== undefined || e.generateValue !== undefined || e.fromDatabase !== undefined || e.fromService !== undefined ? false : null;
      env.add(e.key, required, yamlCite(path, p.doc, text, [...base, 'envVars', ei, 'key'], true));
    });
    return [{ type: str(s.type) ?? null, name: str(s.name) ?? null, runtime: str(s.runtime) ?? str(s.env) ?? null, plan: str(s.plan) ?? null, env: names }];
  });
  const dbs = Array.isArray(root.databases) ? root.databases.flatMap((d) => (isRecord(d) && str(d.name) ? [str(d.name) as string] : [])) : [];
  if (dbs.length) out.push(make({ kind: 'datastore', value: 'postgresql', required: true }, [yamlCite(path, p.doc, text, ['databases'])]));
  out.unshift(make({ kind: 'artifact', type: 'platform-hint', path, summary: { platform: 'render', services: summary, databases: dbs } }, [{ file: path, line: 1 }]));
  out.push(...env.signals(make));
  return out;
}

const ADDONS: [RegExp, Datastore][] = [[/postgres/, 'postgresql'], [/redis|keyvalue/, 'redis'], [/mongo/, 'mongodb'], [/mysql|jawsdb|cleardb/, 'mysql'], [/kafka/, 'kafka'], [/rabbit|cloudamqp/, 'rabbitmq'], [/sendgrid|mailgun|postmark/, 'smtp']];

function herokuAppJson(path: string, text: string): Signal[] {
  const p = parseJsonFile(path, text, NAME);
  if (!p.ok) return [p.problem];
  const v = isRecord(p.value) ? p.value : {};
  const out: Signal[] = [];
  const env = new EnvCollector();
  const names: string[] = [];
  if (isRecord(v.env)) {
    for (const [name, spec] of Object.entries(v.env)) {
      if (!ENV_NAME.test(name)) continue;
      names.push(name);
      // A string is a default value; objects are required unless `required: false` or a value/generator is given.
      const required = typeof spec === 'string' ? false : isRecord(spec) ? (spec.required === false || spec.value !== undefined || spec.generator !== undefined ? false : true) : null;
      env.add(name, required, keyCite(path, text, name, true));
    }
  }
  const addons = Array.isArray(v.addons) ? v.addons.flatMap((a) => (str(a) ? [str(a) as string] : isRecord(a) && str(a.plan) ? [str(a.plan) as string] : [])) : [];
  for (const a of addons) {
    const ds = ADDONS.find(([re]) => re.test(a))?.[1];
    if (ds) out.push(make({ kind: 'datastore', value: ds, required: true }, [keyCite(path, text, a)]));
  }
  const scripts = isRecord(v.scripts) ? v.scripts : {};
  const postdeploy = str(scripts.postdeploy);
  if (postdeploy) out.push(make({ kind: 'command', role: 'release', command: postdeploy, production: true }, [keyCite(path, text, 'postdeploy')], 'medium'));
  out.unshift(make({ kind: 'artifact', type: 'platform-hint', path, summary: {
    platform: 'heroku', name: str(v.name) ?? null, env: names, addons, stack: str(v.stack) ?? null,
    buildpacks: Array.isArray(v.buildpacks) ? v.buildpacks.flatMap((b) => (isRecord(b) && str(b.url) ? [str(b.url) as string] : [])) : [],
    formation: isRecord(v.formation) ? Object.keys(v.formation) : [],
  } }, [{ file: path, line: 1 }]));
  out.push(...env.signals(make));
  return out;
}

function railway(path: string, text: string): Signal[] {
  const p = path.endsWith('.toml') ? parseTomlFile(path, text, NAME) : parseJsonFile(path, text, NAME);
  if (!p.ok) return [p.problem];
  const v = isRecord(p.value) ? p.value : {};
  const build = isRecord(v.build) ? v.build : {};
  const deploy = isRecord(v.deploy) ? v.deploy : {};
  const out: Signal[] = [];
  const start = str(deploy.startCommand);
  if (start) out.push(make({ kind: 'command', role: 'start', command: start, production: true }, [keyCite(path, text, 'startCommand')], 'medium'));
  const buildCmd = str(build.buildCommand);
  if (buildCmd) out.push(make({ kind: 'command', role: 'build', command: buildCmd, production: true }, [keyCite(path, text, 'buildCommand')], 'medium'));
  const pre = str(deploy.preDeployCommand) ?? (Array.isArray(deploy.preDeployCommand) ? deploy.preDeployCommand.map(String).join(' && ') : undefined);
  if (pre) out.push(make({ kind: 'command', role: 'release', command: pre, production: true }, [keyCite(path, text, 'preDeployCommand')], 'medium'));
  const hc = str(deploy.healthcheckPath);
  if (hc) out.push(make({ kind: 'health', path: hc }, [keyCite(path, text, 'healthcheckPath')]));
  out.unshift(make({ kind: 'artifact', type: 'platform-hint', path, summary: {
    platform: 'railway', builder: str(build.builder) ?? null, dockerfilePath: str(build.dockerfilePath) ?? null, startCommand: start ?? null,
    healthcheckPath: hc ?? null, replicas: num(deploy.numReplicas) ?? null,
  } }, [{ file: path, line: 1 }]));
  return out;
}

function vercel(path: string, text: string): Signal[] {
  const p = parseJsonFile(path, text, NAME);
  if (!p.ok) return [p.problem];
  const v = isRecord(p.value) ? p.value : {};
  return [make({ kind: 'artifact', type: 'platform-hint', path, summary: {
    platform: 'vercel', framework: str(v.framework) ?? null, buildCommand: str(v.buildCommand) ?? null, outputDirectory: str(v.outputDirectory) ?? null,
    rewrites: Array.isArray(v.rewrites) ? v.rewrites.length : 0, functions: isRecord(v.functions) ? Object.keys(v.functions) : [],
  } }, [{ file: path, line: 1 }])];
}

function netlify(path: string, text: string): Signal[] {
  const p = parseTomlFile(path, text, NAME);
  if (!p.ok) return [p.problem];
  const build = isRecord(p.value.build) ? p.value.build : {};
  const out: Signal[] = [];
  const env = new EnvCollector();
  const envNames = isRecord(build.environment) ? Object.keys(build.environment).filter((n) => ENV_NAME.test(n)) : [];
  for (const n of envNames) env.add(n, false, keyCite(path, text, n, true), { buildTime: true });
  out.push(make({ kind: 'artifact', type: 'platform-hint', path, summary: {
    platform: 'netlify', command: str(build.command) ?? null, publish: str(build.publish) ?? null, functions: str(build.functions) ?? null,
    base: str(build.base) ?? null, env: envNames, redirects: Array.isArray(p.value.redirects) ? p.value.redirects.length : 0,
  } }, [{ file: path, line: 1 }]));
  out.push(...env.signals(make, 'medium'));
  return out;
}

const HANDLERS: [RegExp, (path: string, text: string) => Signal[]][] = [
  [/^fly\.toml$/, fly], [/^render\.ya?ml$/, render], [/^app\.json$/, herokuAppJson], [/^railway\.(json|toml)$/, railway],
  [/^vercel\.json$/, vercel], [/^netlify\.toml$/, netlify],
];

export const platformDetector: Detector = {
  name: NAME,
  async detect(ctx: DetectContext): Promise<Signal[]> {
    const out: Signal[] = [];
    for (const f of filesIn(ctx, ctx.appDir, (b) => HANDLERS.some(([re]) => re.test(b)))) {
      const base = f.path.slice(f.path.lastIndexOf('/') + 1);
      const handler = HANDLERS.find(([re]) => re.test(base))?.[1];
      const text = await ctx.repo.read(f.path);
      if (!handler || text === null) continue;
      // app.json is also a common name for unrelated JSON (Expo): only Heroku-shaped files count.
      if (base === 'app.json' && !/"(env|addons|formation|buildpacks|scripts|stack)"\s*:/.test(text)) continue;
      out.push(...handler(f.path, text));
    }
    return out;
  },
};

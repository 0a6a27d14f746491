// Dockerfile detector: parses stages, base image, EXPOSE, CMD/ENTRYPOINT, USER, HEALTHCHECK, ARG and ENV names.
import { inApp } from '../../evidence.js';
import type { DetectContext, Detector, Evidence, Signal } from '../../types.js';
import { EnvCollector, citeLine, filesDeep, healthPath, maker, runtimeOfImage, validPort } from './shared.js';

const NAME = 'artifacts-dockerfile';
const make = maker(NAME, 'deploy-material');

export const isDockerfileName = (base: string): boolean => /^Dockerfile(\..+)?$|^.+\.Dockerfile$/i.test(base) && !/\.(dockerignore|md)$/i.test(base);

export interface Instruction { keyword: string; args: string; line: number; raw: string }

/** Splits a Dockerfile into instructions: continuation lines joined, comments and blank lines dropped. */
export function instructions(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  let escape = '\\';
  // Parser directives: only at the very top, `# escape=`` or `# syntax=…`.
  for (const l of lines) {
    const d = /^#\s*([a-z]+)\s*=\s*(\S+)\s*$/i.exec(l);
    if (!d) break;
    if (d[1]?.toLowerCase() === 'escape' && (d[2] === '`' || d[2] === '\\')) escape = d[2];
  }
  const out: Instruction[] = [];
  let buf = '';
  let start = 0;
  let heredoc: string | null = null;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (heredoc !== null) {
      // Heredoc bodies (RUN <<EOF … EOF) belong to the instruction and are not parsed.
      if (line.trim() === heredoc) heredoc = null;
      continue;
    }
    const trimmed = line.trim();
    if (buf === '' && (trimmed === '' || trimmed.startsWith('#'))) continue;
    if (buf !== '' && (trimmed.startsWith('#') || trimmed === '')) continue; // comment or blank line inside a continuation
    if (buf === '') start = i + 1;
    const cont = trimmed.endsWith(escape);
    buf += `${buf === '' ? '' : ' '}${cont ? trimmed.slice(0, -1).trim() : trimmed}`;
    if (cont && i < lines.length - 1) continue;
    const m = /^([A-Za-z]+)\s*(.*)$/.exec(buf);
    if (m && m[1]) {
      out.push({ keyword: m[1].toUpperCase(), args: (m[2] ?? '').trim(), line: start, raw: buf });
      const h = /<<-?\s*["']?([A-Za-z_][A-Za-z0-9_]*)["']?/.exec(m[2] ?? '');
      if (h && h[1] && /^(RUN|COPY|ADD)$/i.test(m[1])) heredoc = h[1];
    }
    buf = '';
  }
  return out;
}

/** CMD/ENTRYPOINT/HEALTHCHECK CMD arguments: exec form (a JSON array) or shell form. */
export function commandForm(args: string): { form: 'exec' | 'shell'; argv: string[] | null; text: string } {
  const t = args.trim();
  if (t.startsWith('[')) {
    try {
      const arr = JSON.parse(t) as unknown;
      if (Array.isArray(arr) && arr.every((a) => typeof a === 'string')) {
        const argv = arr as string[];
        return { form: 'exec', argv, text: argv.map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ') };
      }
    } catch { /* not valid JSON: Docker runs it as a shell command */ }
  }
  return { form: 'shell', argv: null, text: t };
}

/** `ENV A=1 B="x y"` or legacy `ENV A value` → names and (internally only) values. */
function envPairs(args: string): { name: string; value: string }[] {
  const t = args.trim();
  const first = /^([^\s=]+)(=?)/.exec(t);
  if (!first || !first[1]) return [];
  if (first[2] !== '=') return [{ name: first[1], value: t.slice(first[1].length).trim() }];
  const out: { name: string; value: string }[] = [];
  const re = /([^\s=]+)=("(?:[^"\\]|\\.)*"|'[^']*'|(?:[^\s\\]|\\.)*)/g;
  for (let m = re.exec(t); m; m = re.exec(t)) if (m[1]) out.push({ name: m[1], value: (m[2] ?? '').replace(/^["']|["']$/g, '') });
  return out;
}

interface Stage {
  name: string | null;
  image: string;
  /** The image with earlier stage names resolved to their base image. */
  resolved: string;
  line: number;
  expose: { port: string; line: number }[];
  cmd: { text: string; form: string; line: number } | null;
  entrypoint: { text: string; form: string; line: number } | null;
  user: string | null;
  healthcheck: { text: string; line: number } | null;
  env: { name: string; line: number }[];
  vars: Map<string, string>;
}

function substitute(s: string, vars: Map<string, string>): string {
  return s.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (all, a: string | undefined, b: string | undefined) => {
    const v = vars.get(a ?? b ?? '');
    return v ?? all;
  });
}

export interface DockerfileSummary {
  stages: { name: string | null; image: string }[];
  baseImage: string | null;
  expose: string[];
  cmd: string | null;
  entrypoint: string | null;
  user: string | null;
  healthcheck: string | null;
  args: string[];
  env: string[];
}

/** Parses one Dockerfile into its artifact, runtime, port, health, command and env signals. */
export function analyzeDockerfile(path: string, text: string, primary: boolean): Signal[] {
  const ins = instructions(text);
  const stages: Stage[] = [];
  const globalArgs = new Map<string, string>();
  const envs = new EnvCollector();
  const argNames: string[] = [];
  for (const i of ins) {
    const cur = stages[stages.length - 1];
    switch (i.keyword) {
      case 'FROM': {
        const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
        const image = substitute(parts[0] ?? '', globalArgs);
        const asIdx = parts.findIndex((p) => p.toLowerCase() === 'as');
        const name = asIdx >= 0 ? parts[asIdx + 1] ?? null : null;
        const parent = stages.find((s) => s.name !== null && s.name.toLowerCase() === image.toLowerCase());
        stages.push({
          name, image, resolved: parent ? parent.resolved : image, line: i.line,
          expose: parent ? [...parent.expose] : [], cmd: parent?.cmd ?? null, entrypoint: parent?.entrypoint ?? null,
          user: parent?.user ?? null, healthcheck: parent?.healthcheck ?? null, env: parent ? [...parent.env] : [],
          vars: new Map([...globalArgs, ...(parent?.vars ?? [])]),
        });
        break;
      }
      case 'ARG': {
        for (const tok of i.args.split(/\s+/)) {
          const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(tok);
          if (!m || !m[1]) continue;
          if (!argNames.includes(m[1])) argNames.push(m[1]);
          const def = m[2]?.replace(/^["']|["']$/g, '');
          if (def !== undefined) (cur ? cur.vars : globalArgs).set(m[1], def);
          envs.add(m[1], def !== undefined ? false : null, citeLine(path, i.line, `ARG ${m[1]}`), { buildTime: true });
        }
        break;
      }
      case 'ENV': {
        if (!cur) break;
        for (const { name, value } of envPairs(i.args)) {
          cur.vars.set(name, substitute(value, cur.vars));
          if (!cur.env.some((e) => e.name === name)) cur.env.push({ name, line: i.line });
        }
        break;
      }
      case 'EXPOSE':
        if (cur) for (const p of i.args.split(/\s+/).filter(Boolean)) cur.expose.push({ port: substitute(p, cur.vars), line: i.line });
        break;
      case 'CMD': if (cur) { const c = commandForm(i.args); cur.cmd = { text: c.text, form: c.form, line: i.line }; } break;
      case 'ENTRYPOINT': if (cur) { const c = commandForm(i.args); cur.entrypoint = { text: c.text, form: c.form, line: i.line }; cur.cmd = null; } break;
      case 'USER': if (cur) cur.user = i.args.trim() || null; break;
      case 'HEALTHCHECK': {
        if (!cur) break;
        if (/^NONE\b/i.test(i.args)) { cur.healthcheck = null; break; }
        const m = /\bCMD\b\s*(.*)$/i.exec(i.args);
        cur.healthcheck = m ? { text: commandForm(m[1] ?? '').text, line: i.line } : null;
        break;
      }
      default: break;
    }
  }
  const final = stages[stages.length - 1];
  const signals: Signal[] = [];
  const conf = primary ? 'high' : 'medium';
  const exposePorts = final ? final.expose.map((e) => ({ raw: e.port, port: Number(/^(\d+)(\/\w+)?$/.exec(e.port)?.[1] ?? NaN), line: e.line })) : [];
  const summary: DockerfileSummary = {
    stages: stages.map((s) => ({ name: s.name, image: s.image })),
    baseImage: final ? final.resolved : null,
    expose: exposePorts.map((e) => e.raw),
    cmd: final?.cmd?.text ?? null,
    entrypoint: final?.entrypoint?.text ?? null,
    user: final?.user ?? null,
    healthcheck: final?.healthcheck?.text ?? null,
    args: argNames,
    env: final ? final.env.map((e) => e.name) : [],
  };
  const firstFrom = stages[0];
  const artEv: Evidence[] = [citeLine(path, firstFrom?.line ?? (ins[0]?.line ?? null), firstFrom ? `FROM ${firstFrom.image}${firstFrom.name ? ` AS ${firstFrom.name}` : ''}` : undefined)];
  signals.push(make({ kind: 'artifact', type: 'dockerfile', path, summary: summary as unknown as Record<string, unknown> }, artEv, conf));

  // Runtimes: every stage's image (deduplicated); the final stage's is the strongest.
  const seen = new Set<string>();
  for (const s of [...stages].reverse()) {
    const rt = runtimeOfImage(s.resolved);
    if (!rt) continue;
    const key = `${rt.runtime}@${rt.range}`;
    if (seen.has(key)) continue;
    seen.add(key);
    signals.push(make({ kind: 'runtime', runtime: rt.runtime, range: rt.range }, [citeLine(path, s.line, `FROM ${s.image}${s.name ? ` AS ${s.name}` : ''}`)], s === final ? conf : 'medium'));
  }
  for (const e of exposePorts) if (validPort(e.port)) signals.push(make({ kind: 'port', port: e.port }, [citeLine(path, e.line, `EXPOSE ${e.raw}`)], conf));
  if (final?.healthcheck) {
    const p = healthPath(final.healthcheck.text);
    if (p) signals.push(make({ kind: 'health', path: p }, [citeLine(path, final.healthcheck.line, `HEALTHCHECK CMD ${final.healthcheck.text}`.slice(0, 160))], conf));
  }
  const start = final?.entrypoint && final.cmd ? `${final.entrypoint.text} ${final.cmd.text}` : final?.entrypoint?.text ?? final?.cmd?.text;
  const startLine = final?.cmd?.line ?? final?.entrypoint?.line ?? null;
  if (start) signals.push(make({ kind: 'command', role: 'start', command: start, production: !isDevCommand(start) }, [citeLine(path, startLine, `${final?.cmd ? 'CMD' : 'ENTRYPOINT'} ${start}`.slice(0, 160))], 'medium'));
  // The image sets these with a value: the app gets them without the operator supplying anything. Toolchain and
  // interpreter settings (PATH, PYTHONPATH, UV_*) are not the app's configuration at all and are left out.
  if (final) for (const e of final.env) if (!IMAGE_PLUMBING.test(e.name)) envs.add(e.name, false, citeLine(path, e.line, `ENV ${e.name}`));
  signals.push(...envs.signals(make, conf));
  const build = goBuild(ins);
  if (build) signals.push(make({ kind: 'command', role: 'build', command: build.command, production: true }, [citeLine(path, build.line, `RUN ${build.command}`.slice(0, 160))], 'medium'));
  return signals;
}

/** ENV names that configure the image's toolchain, shell or locale rather than the app. */
const IMAGE_PLUMBING = /^(?:PATH|HOME|SHELL|USER|LANG|LANGUAGE|LC_[A-Z]+|TERM|TZ|DEBIAN_FRONTEND|PYTHON[A-Z_]*|PIP_[A-Z_]+|UV_[A-Z_]+|POETRY_[A-Z_]+|PDM_[A-Z_]+|PIPENV_[A-Z_]+|VIRTUAL_ENV|CONDA_[A-Z_]+|GOPATH|GOROOT|GOFLAGS|GOOS|GOARCH|GOPROXY|GO111MODULE|CGO_ENABLED|CARGO_[A-Z_]+|RUSTUP_[A-Z_]+|RUSTFLAGS|JAVA_HOME|MAVEN_[A-Z_]+|GRADLE_[A-Z_]+|BUNDLE_[A-Z_]+|GEM_HOME|GEM_PATH|NPM_CONFIG_[A-Z_]+|YARN_[A-Z_]+|PNPM_HOME|COREPACK_[A-Z_]+|NEXT_TELEMETRY_DISABLED|COMPOSER_[A-Z_]+)$/;

/**
 * The Go compile in the image (`RUN CGO_ENABLED=0 GOOS=linux go build -o main .`): the build the project ships.
 * The last one wins: multi-stage files compile in the builder stage the final image copies from.
 */
function goBuild(ins: readonly Instruction[]): { command: string; line: number } | null {
  let found: { command: string; line: number } | null = null;
  for (const i of ins) {
    if (i.keyword !== 'RUN') continue;
    for (const part of i.args.replace(/^(?:--\S+\s+)*/, '').split(/\s*(?:&&|;)\s*/)) {
      if (/^(?:[A-Z_][A-Z0-9_]*=\S*\s+)*go\s+build\b/.test(part.trim())) found = { command: part.trim(), line: i.line };
    }
  }
  return found;
}

export function isDevCommand(cmd: string): boolean {
  return /\b(nodemon|next dev|nuxt dev|vite(?!\s+preview)\b|ts-node-dev|tsx watch|runserver|flask run|--reload\b|npm run dev|yarn dev|pnpm dev|bun dev|air\b|cargo[ -]watch\b|watchexec\b)/.test(cmd);
}

export const dockerfileDetector: Detector = {
  name: NAME,
  async detect(ctx: DetectContext): Promise<Signal[]> {
    const files = filesDeep(ctx, (rel, base) => (!rel.includes('/') || /^docker\//.test(rel)) && isDockerfileName(base));
    const out: Signal[] = [];
    for (const f of files) {
      const text = await ctx.repo.read(f.path);
      if (text === null) continue;
      out.push(...analyzeDockerfile(f.path, text, f.path === inApp(ctx.appDir, 'Dockerfile')));
    }
    return out;
  },
};

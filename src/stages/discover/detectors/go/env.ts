// Environment variable names read by Go code: os.Getenv/LookupEnv (with empty-check defaults or fatal exits), viper AutomaticEnv/BindEnv, env/envconfig struct tags (names only; literals masked).
import { envSignals, type EnvRead } from '../../env-reads.js';
import type { Detector, Evidence, Signal } from '../../types.js';
import { blockAt, citeGo, escapeRe, goApp, type GoSource } from './common.js';

const NAME = 'go-env';

type Found = EnvRead;

const FATAL = /\blog\.(?:Fatal|Panic)\w*\(|\bpanic\(|\bos\.Exit\(|\.(?:Fatal|Fatalf|Panic|Panicf)\(|\breturn\b[^\n]*(?:\berr\b|Err\w*|fmt\.Errorf|errors\.New)/;

/** What an `if <cond> {` block after `from` does: sets `v` (a default: false), fails (true), or neither (null). */
function emptyCheck(code: string, from: number, cond: string, v: string | null): boolean | null | undefined {
  const window = code.slice(from, from + 600);
  const m = new RegExp(String.raw`\bif\s+${cond}\s*(?:\|\|[^{\n]*|&&[^{\n]*)?\{`).exec(window);
  if (!m) return undefined;
  const b = blockAt(code, from + m.index + m[0].length - 1);
  if (!b) return undefined;
  const body = code.slice(b[0], b[1]);
  if (v && new RegExp(String.raw`\b${escapeRe(v)}\s*=(?!=)`).test(body)) return false;
  if (FATAL.test(body)) return true;
  return null;
}

function osEnv(s: GoSource, out: Found[]): void {
  const cite = (i: number, name: string): Evidence => citeGo(s.path, s.text, i, [name], true);
  for (const m of s.code.matchAll(/\bos\.Getenv\(\s*"([A-Za-z_]\w*)"\s*\)/g)) {
    const name = m[1] ?? '';
    const lineStart = s.code.lastIndexOf('\n', m.index - 1) + 1;
    const before = s.code.slice(lineStart, m.index);
    const end = m.index + m[0].length;
    let required: boolean | null = null;
    // `v := os.Getenv(…)`, also through a wrapper such as strings.TrimSpace(…).
    const assigned = /\b([A-Za-z_]\w*)\s*:?=\s*(?:[A-Za-z_][\w.]*\(\s*)*$/.exec(before);
    const after = s.code.slice(end, end + 40);
    if (/\bcmp\.Or\(\s*$/.test(before)) required = false;
    // `":"+os.Getenv("PORT")` spliced into a listen address: unset, the server binds a random port.
    else if (/"[^"\n]*:"\s*\+\s*$/.test(before)) required = true;
    // `net.JoinHostPort(os.Getenv("HOST"), …)`: an empty host listens on every interface.
    else if (/\bnet\.JoinHostPort\(\s*$/.test(before)) required = false;
    // `if v := os.Getenv("X"); v != "" {`: only used when set.
    else if (/\bif\s+[A-Za-z_]\w*\s*:=\s*$/.test(before) && /^\s*;\s*[A-Za-z_]\w*\s*!=\s*""/.test(after)) required = false;
    else if (assigned?.[1]) {
      const v = assigned[1];
      const r = emptyCheck(s.code, end, String.raw`${escapeRe(v)}\s*==\s*""`, v);
      if (r !== undefined) required = r;
    } else if (/\bif\s+$/.test(before) && /^\s*==\s*""/.test(s.code.slice(end, end + 10))) {
      const r = emptyCheck(s.code, lineStart, String.raw`os\.Getenv\(\s*"${escapeRe(name)}"\s*\)\s*==\s*""`, null);
      if (r !== undefined) required = r;
    }
    out.push({ name, required, evidence: cite(m.index, name) });
  }
  for (const m of s.code.matchAll(/(?:\b\w+\s*,\s*(\w+)\s*:?=\s*)?\bos\.LookupEnv\(\s*"([A-Za-z_]\w*)"\s*\)/g)) {
    const name = m[2] ?? '';
    let required: boolean | null = false;
    if (m[1]) {
      const r = emptyCheck(s.code, m.index + m[0].length, String.raw`!${escapeRe(m[1])}`, null);
      if (r === true) required = true;
    }
    out.push({ name, required, evidence: cite(m.index + (m[1] ? m[0].indexOf('os.LookupEnv') : 0), name) });
  }
}

interface ViperConf { auto: boolean; prefix: string; replacer: boolean }

function viperConf(sources: GoSource[]): ViperConf {
  const all = sources.map((s) => s.code).join('\n');
  const prefix = /\.SetEnvPrefix\(\s*"([^"]*)"\s*\)/.exec(all)?.[1] ?? '';
  return { auto: /\.AutomaticEnv\(\s*\)/.test(all), prefix: prefix ? `${prefix.toUpperCase()}_` : '', replacer: /\.SetEnvKeyReplacer\(/.test(all) };
}

function viperEnv(s: GoSource, conf: ViperConf, out: Found[]): void {
  if (!/\bviper\b/.test(s.code)) return;
  const vars = ['viper'];
  for (const m of s.code.matchAll(/\b(\w+)\s*:?=\s*viper\.New\(\)/g)) if (m[1]) vars.push(m[1]);
  const v = `(?:${vars.map(escapeRe).join('|')})`;
  const defaults = new Set<string>();
  for (const m of s.code.matchAll(new RegExp(String.raw`\b${v}\.SetDefault\(\s*"([^"]+)"`, 'g'))) if (m[1]) defaults.add(m[1].toLowerCase());
  for (const m of s.code.matchAll(new RegExp(String.raw`\b${v}\.BindEnv\(\s*"([^"]+)"\s*(?:,\s*"([A-Za-z_]\w*)")?`, 'g'))) {
    const name = m[2] ?? `${conf.prefix}${(m[1] ?? '').toUpperCase()}`;
    if (/^[A-Za-z_]\w*$/.test(name)) out.push({ name, required: defaults.has((m[1] ?? '').toLowerCase()) ? false : null, evidence: citeGo(s.path, s.text, m.index, [m[1] ?? '', name], true) });
  }
  if (!conf.auto) return;
  for (const m of s.code.matchAll(new RegExp(String.raw`\b${v}\.(?:Get\w*|IsSet)\(\s*"([^"]+)"`, 'g'))) {
    const key = m[1] ?? '';
    const mapped = conf.replacer ? key.replace(/[.-]/g, '_') : key;
    const name = `${conf.prefix}${mapped.toUpperCase()}`;
    if (!/^[A-Za-z_]\w*$/.test(name)) continue;
    out.push({ name, required: defaults.has(key.toLowerCase()) ? false : null, evidence: citeGo(s.path, s.text, m.index, [key], true) });
  }
}

/** caarlos0/env `env:"X,required"` / `envDefault:"…"` and kelseyhightower/envconfig `envconfig:"X" required:"true"` / `default:"…"`. */
function structTags(s: GoSource, envconfigPrefix: string, out: Found[]): void {
  for (const m of s.code.matchAll(/`([^`\n]*\b(?:env|envconfig):"[^`\n]*)`/g)) {
    const tag = m[1] ?? '';
    const env = /(?:^|\s)env:"([A-Za-z_]\w*)((?:,[\w=]*)*)"/.exec(tag);
    const ec = /(?:^|\s)envconfig:"([A-Za-z_]\w*)"/.exec(tag);
    const at = m.index + (ec?.index ?? env?.index ?? 0);
    if (env?.[1]) {
      const required = /,(?:required|notEmpty)\b/.test(env[2] ?? '') ? true : /\benvDefault:"/.test(tag) ? false : null;
      out.push({ name: env[1], required, evidence: citeGo(s.path, s.text, at, [env[1]], true) });
    } else if (ec?.[1]) {
      const required = /\brequired:"true"/.test(tag) ? true : /\bdefault:"/.test(tag) ? false : null;
      const name = `${envconfigPrefix}${ec[1]}`;
      out.push({ name, required, evidence: citeGo(s.path, s.text, at, [ec[1]], true) });
    }
  }
}

export const goEnvDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await goApp(ctx);
    if (!app) return [];
    const found: Found[] = [];
    const vconf = viperConf(app.sources);
    const ecPrefixRaw = app.sources.map((s) => /\benvconfig\.(?:Process|MustProcess)\(\s*"([^"]*)"/.exec(s.code)?.[1]).find((x) => x !== undefined) ?? '';
    const ecPrefix = ecPrefixRaw ? `${ecPrefixRaw.toUpperCase()}_` : '';
    for (const s of app.sources) { osEnv(s, found); viperEnv(s, vconf, found); structTags(s, ecPrefix, found); }
    return envSignals(found, NAME);
  },
};

// Environment variable names read by Rust code: std::env::var/var_os, dotenvy::var, env!/option_env! (build time), clap `env` args, RUST_LOG through env filters; names only, literals masked.
import { envSignals, type EnvRead } from '../../env-reads.js';
import type { Detector, Signal } from '../../types.js';
import { citeRust, closeBrace, inString, rustApp, type RustSource } from './common.js';

const NAME = 'rust-env';

/** Variables Cargo sets for every build: never the operator's to provide. */
const CARGO_SET = /^(?:CARGO_\w*|OUT_DIR|RUSTC\w*|TARGET|HOST|PROFILE|OPT_LEVEL|DEBUG|NUM_JOBS)$/;

const FAILS = new Set(['expect', 'unwrap', 'unwrap_unchecked', 'expect_err']);
const DEFAULTS = new Set(['unwrap_or', 'unwrap_or_else', 'unwrap_or_default', 'ok', 'is_ok', 'is_err', 'is_some', 'is_none', 'ok_or_else_default']);
/** Calls that keep the Result an error-propagating read: `.context("…")?` still fails at start. */
const PASS = new Set(['context', 'with_context', 'wrap_err', 'wrap_err_with', 'map_err', 'ok_or', 'ok_or_else', 'map', 'and_then', 'as_deref', 'as_ref', 'trim', 'parse', 'into', 'to_string', 'to_owned', 'into_string']);

/** Index just past the `)` closing the `(` at `open`; strings skipped. */
function closeParen(code: string, open: number): number {
  let depth = 0;
  for (let i = open; i < code.length; i++) {
    const c = code[i];
    if (c === '"') { i++; while (i < code.length && code[i] !== '"') i += code[i] === '\\' ? 2 : 1; continue; }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return code.length;
}

/**
 * What the method chain after a read says: `?`, `.expect(…)`, `.unwrap()` → required; `.unwrap_or…`, `.ok()` → optional;
 * error-context calls are looked through; anything else is unknown.
 */
function chainVerdict(code: string, from: number): boolean | null {
  let i = from;
  for (let step = 0; step < 12; step++) {
    while (i < code.length && /\s/.test(code[i] ?? '')) i++;
    if (code[i] === '?') return true;
    const m = /^\.\s*(\w+)\s*(?:::<[^>]*>\s*)?(\()?/.exec(code.slice(i, i + 80));
    if (!m?.[1]) return null;
    const name = m[1];
    if (FAILS.has(name)) return true;
    if (DEFAULTS.has(name)) return false;
    if (!PASS.has(name)) return null;
    i += m[0].length;
    if (m[2]) i = closeParen(code, i - 1);
  }
  return null;
}

/** `if let Ok(v) = env::var(…)` reads are optional; `match env::var(…)` fails when its Err arm panics, exits or returns an error. */
function contextVerdict(code: string, index: number, end: number): boolean | null | undefined {
  const lineStart = code.lastIndexOf('\n', index - 1) + 1;
  const before = code.slice(Math.max(lineStart, index - 120), index);
  if (/\b(?:if|while)\s+let\s+(?:Ok|Some)\s*\([^)]*\)\s*=\s*$/.test(before)) return false;
  if (/\bmatch\s+$/.test(before)) {
    const brace = code.indexOf('{', end);
    const close = brace < 0 ? -1 : closeBrace(code, brace);
    if (close < 0) return null;
    const arms = code.slice(brace, close);
    const err = /\b(?:Err|None)\b[^=]*=>([\s\S]*)/.exec(arms)?.[1] ?? '';
    return /\bpanic!|\bunreachable!|\bprocess::exit\(|\bexit\(|\breturn\s+Err\b|\bbail!|\?\s*[,}]/.test(err) ? true : err ? false : null;
  }
  return undefined;
}

function codeReads(s: RustSource, out: EnvRead[], buildTime: Set<string>): void {
  const cite = (i: number, name: string): EnvRead['evidence'] => citeRust(s.path, s.text, i, [name], true);
  for (const m of s.code.matchAll(/\b(?:(?:std::)?env|dotenvy|dotenv)::var(?:_os)?\(\s*"([A-Za-z_]\w*)"\s*\)/g)) {
    const name = m[1] ?? '';
    if (CARGO_SET.test(name) || inString(s, m.index)) continue;
    const end = m.index + m[0].length;
    const ctx = contextVerdict(s.code, m.index, end);
    out.push({ name, required: ctx !== undefined ? ctx : chainVerdict(s.code, end), evidence: cite(m.index, name) });
  }
  // Compile-time reads: env! fails the build without the variable, option_env! does not.
  for (const m of s.code.matchAll(/\b(option_env|env)!\s*\(\s*"([A-Za-z_]\w*)"/g)) {
    const name = m[2] ?? '';
    if (CARGO_SET.test(name) || inString(s, m.index)) continue;
    buildTime.add(name);
    out.push({ name, required: m[1] === 'env', evidence: cite(m.index, name) });
  }
  // tracing-subscriber's EnvFilter and env_logger read RUST_LOG (or the named variable); logging has a default without it.
  for (const m of s.code.matchAll(/\bEnvFilter::(?:try_)?from_default_env\(|\benv_logger::(?:init|try_init)\(|\bpretty_env_logger::(?:init|try_init)\w*\(|\b(?:env_logger::)?Builder::from_default_env\(|\benv_logger::Env::default\(/g)) {
    if (!inString(s, m.index)) out.push({ name: 'RUST_LOG', required: false, evidence: cite(m.index, 'RUST_LOG') });
  }
  for (const m of s.code.matchAll(/\bEnvFilter::(?:try_)?from_env\(\s*"([A-Za-z_]\w*)"/g)) {
    if (!inString(s, m.index)) out.push({ name: m[1] ?? '', required: false, evidence: cite(m.index, m[1] ?? '') });
  }
  clapArgs(s, out);
}

/**
 * clap/structopt `env` args: `#[arg(long, env = "X")] x: T`. A default value or an Option/bool/Vec field makes the
 * variable optional; any other field is required (clap refuses to start without it).
 */
function clapArgs(s: RustSource, out: EnvRead[]): void {
  const re = /#\[\s*(?:arg|clap|structopt)\s*\(([^\]]*)\)\s*\]((?:\s*#\[[^\]]*\])*)\s*(?:pub(?:\([^)]*\))?\s+)?(\w+)\s*:\s*([^,}\n]+)/g;
  for (const m of s.code.matchAll(re)) {
    if (inString(s, m.index)) continue;
    const attrs = `${m[1] ?? ''}, ${m[2] ?? ''}`;
    const env = /(?:^|[\s,(])env(?:\s*=\s*"([A-Za-z_]\w*)")?\s*(?:[,)]|$)/.exec(attrs);
    if (!env) continue;
    // A bare `env` uses the field's name, upper-cased.
    const name = env[1] ?? (m[3] ?? '').toUpperCase();
    const type = (m[4] ?? '').trim();
    const optional = /\bdefault_values?(?:_t|_os)?\b|\brequired\s*=\s*false\b/.test(attrs) || /^(?:Option\s*<|Vec\s*<|bool\b)/.test(type);
    out.push({ name, required: !optional, evidence: citeRust(s.path, s.text, m.index + (m[0].indexOf('env') >= 0 ? m[0].indexOf('env') : 0), [name], true) });
  }
}

export const rustEnvDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await rustApp(ctx);
    if (!app) return [];
    const found: EnvRead[] = [];
    const buildTime = new Set<string>();
    for (const s of app.sources) codeReads(s, found, buildTime);
    return envSignals(found, NAME).map((sig): Signal => (sig.kind === 'env' && buildTime.has(sig.name) ? { ...sig, buildTime: true } : sig));
  },
};

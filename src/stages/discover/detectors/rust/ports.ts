// Rust listen ports from code (SocketAddr tuples, bind/listen address literals, PORT env defaults, clap defaults, port constants) and Rocket.toml; Rocket's 8000 as a last resort.
import { parse as parseToml } from 'smol-toml';
import { portSink, type PortHit } from '../../port-signals.js';
import type { Detector, Evidence } from '../../types.js';
import { citeRust, field, findDep, inApp, inString, isRecord, lineAt, rustApp, type RustSource } from './common.js';

const NAME = 'rust-port';

/** Calls that take a listen address: std/tokio TcpListener::bind, hyper/axum Server::bind, actix .bind, warp .run, poem/salvo listeners. */
const CALL = String.raw`(?:\bbind(?:_\w+)?|\.run|\.listen|\bserve|\bTcpListener::new)\(\s*&?\s*`;
const ADDR_LIT = String.raw`"(?:[\w.\-\[\]:]*):(\d{2,5})"`;
const ENV_READ = /\b(?:std::)?(?:env|dotenvy|dotenv)::var\(\s*"(\w*PORT\w*|\w*ADDR\w*|\w*LISTEN\w*|\w*BIND\w*)"\s*\)/g;

/** The rest of the statement from `from`: up to the first `;` outside brackets (capped). */
function statement(code: string, from: number): string {
  let depth = 0;
  const end = Math.min(code.length, from + 600);
  for (let i = from; i < end; i++) {
    const c = code[i];
    if (c === '"') { i++; while (i < end && code[i] !== '"') i += code[i] === '\\' ? 2 : 1; continue; }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') { if (--depth < 0) return code.slice(from, i); } else if (c === ';' && depth === 0) return code.slice(from, i);
  }
  return code.slice(from, end);
}

function codeHits(s: RustSource, push: (h: PortHit) => void): void {
  const at = (i: number, keep: readonly string[] = [], all = false): Evidence => citeRust(s.path, s.text, i, keep, all);
  // SocketAddr::from(([0, 0, 0, 0], 3000)), warp::serve(r).run(([127, 0, 0, 1], 3030)).
  for (const m of s.code.matchAll(/\(\s*\[\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*,\s*\d{1,3}\s*\]\s*,\s*(\d{2,5})\s*\)/g)) {
    if (inString(s, m.index)) continue;
    push({ port: Number(m[1]), evidence: [at(m.index)], source: 'code', confidence: 'high' });
  }
  // SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 8080), (Ipv4Addr::LOCALHOST, 8080).
  for (const m of s.code.matchAll(/\bIpv[46]Addr::(?:UNSPECIFIED|LOCALHOST|new\([^()]*\))\s*\)?\s*,\s*(\d{2,5})\s*\)/g)) {
    if (inString(s, m.index)) continue;
    push({ port: Number(m[1]), evidence: [at(m.index)], source: 'code', confidence: 'high' });
  }
  // TcpListener::bind("0.0.0.0:8080"), HttpServer::new(…).bind("127.0.0.1:8080"), "0.0.0.0:3000".parse().
  for (const m of s.code.matchAll(new RegExp(`${CALL}${ADDR_LIT}`, 'g'))) if (!inString(s, m.index)) push({ port: Number(m[1]), evidence: [at(m.index)], source: 'code', confidence: 'high' });
  for (const m of s.code.matchAll(new RegExp(String.raw`${ADDR_LIT}\s*\.parse\b`, 'g'))) if (!inString(s, m.index)) push({ port: Number(m[1]), evidence: [at(m.index)], source: 'code', confidence: 'high' });
  // actix-web / std: .bind(("0.0.0.0", 8080)).
  for (const m of s.code.matchAll(/\bbind(?:_\w+)?\(\s*&?\(\s*"[^"\n]*"\s*,\s*(\d{2,5})\s*\)/g)) if (!inString(s, m.index)) push({ port: Number(m[1]), evidence: [at(m.index)], source: 'code', confidence: 'high' });
  // env::var("PORT").unwrap_or_else(|_| "8080".into()) and friends: the default is where the app listens unless told otherwise.
  for (const m of s.code.matchAll(ENV_READ)) {
    if (inString(s, m.index)) continue;
    const from = m.index + m[0].length;
    const stmt = statement(s.code, from);
    const d = /\.unwrap_or(?:_else)?\(\s*(?:\|[^|]*\|\s*)?(?:String::from\(\s*|Ok\(\s*)?(?:"(?:[\w.\-\[\]:]*:)?(\d{2,5})"|(\d{2,5})\b)/.exec(stmt);
    const port = d?.[1] ?? d?.[2];
    if (!d || !port) continue;
    const keep = [m[1] ?? ''];
    const di = from + d.index;
    const ev = [at(m.index, keep, true)];
    if (lineAt(s.text, di) !== lineAt(s.text, m.index)) ev.push(at(di, keep, true));
    push({ port: Number(port), evidence: ev, source: 'code', confidence: 'medium' });
  }
  // clap: #[arg(long, env = "PORT", default_value_t = 8080)] port: u16.
  for (const m of s.code.matchAll(/#\[\s*(?:arg|clap|structopt)\s*\(([^\]]*)\)\s*\]\s*(?:pub(?:\([^)]*\))?\s+)?(\w+)\s*:/g)) {
    if (inString(s, m.index)) continue;
    const args = m[1] ?? '';
    const env = /\benv\s*=\s*"(\w+)"/.exec(args)?.[1] ?? '';
    if (!/port|addr|listen|bind/i.test(`${m[2] ?? ''} ${env}`)) continue;
    const d = /\bdefault_value(?:_t)?\s*=\s*(?:"(?:[\w.\-\[\]:]*:)?(\d{2,5})"|(\d{2,5})\b)/.exec(args);
    const port = d?.[1] ?? d?.[2];
    if (port) push({ port: Number(port), evidence: [at(m.index)], source: 'code', confidence: 'medium' });
  }
  // const PORT: u16 = 8080; / let port = 8080;
  for (const m of s.code.matchAll(/\b(?:const|static|let(?:\s+mut)?)\s+(\w*(?:port|PORT)\w*)\s*(?::\s*u16\s*)?=\s*(\d{2,5})\s*;/g)) {
    if (inString(s, m.index)) continue;
    push({ port: Number(m[2]), evidence: [at(m.index)], source: 'code', confidence: 'medium' });
  }
}

/** Rocket.toml's port: the release profile, else default, else global (Rocket's own precedence for a release build). */
async function rocketToml(path: string, text: string, push: (h: PortHit) => void): Promise<void> {
  let doc: unknown;
  try { doc = parseToml(text); } catch { return; }
  if (!isRecord(doc)) return;
  for (const profile of ['release', 'default', 'global']) {
    const port = field(doc, profile, 'port');
    if (typeof port !== 'number') continue;
    // The `port` line inside that profile's table.
    const head = new RegExp(String.raw`^\s*\[\s*${profile}\s*\]\s*$`, 'm').exec(text);
    const after = head ? head.index + head[0].length : 0;
    const next = text.slice(after).search(/^\s*\[/m);
    const body = text.slice(after, next < 0 ? text.length : after + next);
    const p = /^\s*port\s*=/m.exec(body);
    const idx = p ? after + p.index + p[0].length - p[0].trimStart().length : null;
    const line = idx === null ? null : lineAt(text, idx);
    push({ port, evidence: [{ file: path, line, ...(line !== null ? { text: (text.split('\n')[line - 1] ?? '').trim() } : {}) }], source: 'build-file', confidence: 'high' });
    return;
  }
}

export const rustPortDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await rustApp(ctx);
    if (!app) return [];
    const { out, push } = portSink(NAME);
    for (const s of app.sources) codeHits(s, push);
    const rocket = findDep(app, 'rocket');
    if (rocket) {
      const file = inApp(ctx.appDir, 'Rocket.toml');
      const text = ctx.repo.has(file) ? await ctx.repo.read(file) : null;
      if (text !== null) await rocketToml(file, text, push);
      if (out.length === 0) {
        // Rocket listens on 8000 unless Rocket.toml or ROCKET_PORT says otherwise.
        const launch = app.sources.map((s) => ({ s, m: /#\[\s*(?:rocket::)?launch\s*\]|\brocket::build\(\)/.exec(s.code) })).find((x) => x.m);
        if (launch?.m) push({ port: 8000, evidence: [citeRust(launch.s.path, launch.s.text, launch.m.index)], source: 'fallback', confidence: 'low' });
      }
    }
    return out;
  },
};

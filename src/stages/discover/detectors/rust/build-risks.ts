// Build risks of a Rust app: native libraries its crates link, local path crates outside the build context, and sqlx query macros that need a database at compile time.
import type { Detector, Evidence, Signal } from '../../types.js';
import { citeRust, findDep, rustApp, upward } from './common.js';

const NAME = 'rust-build-risks';

/** crate → what the build host needs, unless a feature bundles or vendors it. */
const NATIVE: { crate: string; needs: string; when?: (features: string[]) => boolean }[] = [
  { crate: 'openssl', needs: 'OpenSSL headers and pkg-config (libssl-dev)', when: (f) => !f.includes('vendored') },
  { crate: 'openssl-sys', needs: 'OpenSSL headers and pkg-config (libssl-dev)', when: (f) => !f.includes('vendored') },
  { crate: 'native-tls', needs: 'OpenSSL headers and pkg-config (libssl-dev)', when: (f) => !f.includes('vendored') },
  { crate: 'diesel', needs: 'libpq (libpq-dev)', when: (f) => f.includes('postgres') },
  { crate: 'diesel', needs: 'the MySQL client library (libmysqlclient-dev)', when: (f) => f.includes('mysql') },
  { crate: 'diesel', needs: 'SQLite (libsqlite3-dev)', when: (f) => f.includes('sqlite') },
  { crate: 'pq-sys', needs: 'libpq (libpq-dev)', when: (f) => !f.includes('bundled') },
  { crate: 'rdkafka', needs: 'a C toolchain and cmake (librdkafka is built from source)', when: (f) => !f.includes('dynamic-linking') },
];

export const rustBuildRiskDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    const app = await rustApp(ctx);
    if (!app) return [];
    const out: Signal[] = [];
    const needs = new Map<string, Evidence[]>();
    for (const n of NATIVE) {
      const d = app.deps.find((x) => x.crate === n.crate && (n.when?.(x.features) ?? true));
      if (d) needs.set(n.needs, [...(needs.get(n.needs) ?? []), d.evidence]);
    }
    if (needs.size > 0) {
      out.push({
        kind: 'risk', severity: 'warning', message: `native libraries needed to build: ${[...needs.keys()].join('; ')}`,
        evidence: [...needs.values()].flat(), source: 'build-file', confidence: 'high', detector: NAME,
      });
    }
    // `path = "../x"` leaving the workspace (or the app, outside a workspace): the build context must include it.
    const root = app.workspace?.dir ?? ctx.appDir;
    for (const d of app.deps) {
      if (d.path === null) continue;
      const inside = d.localDir !== null && (root === '' || d.localDir === root || d.localDir.startsWith(`${root}/`));
      if (inside) continue;
      out.push({
        kind: 'risk', severity: 'warning', message: `Cargo.toml uses ${d.key} from ${d.path}, outside the ${app.workspace ? 'workspace' : 'app directory'}: build from a context that includes it`,
        evidence: [d.evidence], source: 'build-file', confidence: 'high', detector: NAME,
      });
    }
    // sqlx::query!() checks SQL against a live database while compiling, unless offline data (.sqlx/) is committed.
    const sqlx = findDep(app, 'sqlx');
    if (sqlx) {
      const offline = upward(ctx, app, 'sqlx-data.json').length > 0 || [ctx.appDir, app.workspace?.dir ?? ctx.appDir].some((d) => ctx.repo.under(d === '' ? '.sqlx' : `${d}/.sqlx`).length > 0);
      const macro = app.sources.map((s) => ({ s, m: /\b(?:sqlx::)?query(?:_as|_scalar)?(?:_unchecked)?!\s*\(/.exec(s.code) })).find((x) => x.m);
      if (!offline && macro?.m) {
        out.push({
          kind: 'risk', severity: 'warning',
          message: 'sqlx query macros check SQL against a database at compile time: the build needs DATABASE_URL reachable, or commit offline data (cargo sqlx prepare) and build with SQLX_OFFLINE=true',
          evidence: [citeRust(macro.s.path, macro.s.text, macro.m.index), sqlx.evidence], source: 'code', confidence: 'high', detector: NAME,
        });
      }
    }
    return out;
  },
};

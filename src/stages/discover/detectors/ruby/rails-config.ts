// Rails deployment risks in the repo's config: a committed master key, force_ssl behind a plain-HTTP proxy, and SQLite as the production database.
import type { Detector, Signal } from '../../types.js';
import { databaseSections, inApp, isRubyApp, rubyApp, safeCite } from './common.js';

const NAME = 'ruby-rails-config';

export const rubyRailsConfigDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isRubyApp(ctx)) return [];
    const a = await rubyApp(ctx);
    if (!a.rails) return [];
    const out: Signal[] = [];
    const risk = (message: string, evidence: Signal['evidence']): void => {
      out.push({ kind: 'risk', severity: 'warning', message, evidence, source: 'code', confidence: 'high', detector: NAME });
    };
    // The key file's content is never read: its presence in the tree is the problem.
    const prefixLen = ctx.appDir === '' ? 0 : ctx.appDir.length + 1;
    const keys = ctx.repo.under(inApp(ctx.appDir, 'config')).map((f) => f.path)
      .filter((p) => /^config\/(?:master|credentials\/[^/]+)\.key$/.test(p.slice(prefixLen)));
    for (const file of keys) {
      risk(`${file} is committed: anyone with the repository can decrypt the credentials; remove it, rotate the key and pass RAILS_MASTER_KEY at deploy time`, [{ file, line: null }]);
    }
    const prod = a.sources.find((s) => s.rel === 'config/environments/production.rb');
    const ssl = prod ? /^\s*config\.force_ssl\s*=\s*true\b/m.exec(prod.code) : null;
    if (prod && ssl) {
      const at = ssl.index + (ssl[0].length - ssl[0].trimStart().length);
      risk('config.force_ssl = true: plain-HTTP requests are redirected to HTTPS; terminate TLS in front (a proxy sending X-Forwarded-Proto: https) or plain-HTTP health checks see a 301', [safeCite(prod.path, prod.text, at)]);
    }
    const db = a.sources.find((s) => /^config\/database\.ya?ml$/.test(s.rel));
    const sqlite = db ? databaseSections(db.code).find((sec) => sec.name === 'production' && sec.adapter === 'sqlite3') : undefined;
    if (db && sqlite) {
      risk(`the production database is SQLite (${db.path}): keep the database file on persistent storage outside the release directory, and run one app host only`, sqlite.index === null ? [{ file: db.path, line: null }] : [safeCite(db.path, db.text, sqlite.index)]);
    }
    return out;
  },
};

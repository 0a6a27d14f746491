// DEPLOY.md, or the deploy section of the README: production instructions as hints (below deployment material).
import { cite, inApp } from '../../evidence.js';
import type { Detector, Signal } from '../../types.js';

const DOC_NAMES = ['DEPLOY.md', 'DEPLOYMENT.md', 'docs/DEPLOY.md', 'docs/deploy.md', 'docs/deployment.md'];
const README_NAMES = ['README.md', 'readme.md', 'README.MD', 'Readme.md'];
const DEPLOY_HEADING = /^#{1,4}\s+.*\b(deploy(ment|ing)?|production|running in production|self-host(ing)?)\b.*$/im;
const START_CMD = /^\s*(?:\$\s*)?((?:npm (?:run )?start|yarn start|pnpm start|node [\w./-]+\.m?js|bun run start|gunicorn [^\n`]+|uvicorn [^\n`]+|java -jar [^\n`]+|docker compose up[^\n`]*|docker-compose up[^\n`]*|\.\/[\w.-]+ (?:serve|server|start)[^\n`]*))\s*$/gm;
const PORT_RE = /\b(?:port|PORT)\s*(?:=|:|is|on)?\s*(\d{2,5})\b/g;
const ENV_RE = /`([A-Z][A-Z0-9_]{2,})`/g;

/** The text of the deploy section: from its heading to the next heading of the same or higher level. */
export function deploySection(readme: string): { text: string; offset: number } | null {
  const m = DEPLOY_HEADING.exec(readme);
  if (!m) return null;
  const level = /^#+/.exec(m[0])?.[0].length ?? 2;
  const after = readme.slice(m.index + m[0].length);
  const next = new RegExp(`^#{1,${level}}\\s`, 'm').exec(after);
  return { text: readme.slice(m.index, m.index + m[0].length + (next ? next.index : after.length)), offset: m.index };
}

function scan(file: string, whole: string, text: string, offset: number): Signal[] {
  const out: Signal[] = [];
  const base = (i: number) => ({ source: 'docs' as const, confidence: 'medium' as const, detector: 'deploy-doc', evidence: [cite(file, whole, offset + i)] });
  for (const m of text.matchAll(START_CMD)) out.push({ kind: 'command', role: 'start', command: (m[1] ?? '').trim(), production: true, ...base(m.index ?? 0) });
  for (const m of text.matchAll(PORT_RE)) {
    const port = Number(m[1]);
    if (port >= 1 && port <= 65535) out.push({ kind: 'port', port, ...base(m.index ?? 0) });
  }
  for (const m of text.matchAll(ENV_RE)) out.push({ kind: 'env', name: m[1] ?? '', required: null, ...base(m.index ?? 0) });
  return out;
}

export const deployDocDetector: Detector = {
  name: 'docs-deploy-instructions',
  async detect({ repo, appDir }) {
    for (const name of DOC_NAMES) {
      const file = inApp(appDir, name);
      const text = repo.has(file) ? await repo.read(file) : null;
      if (text !== null) {
        // The artifacts-deploy-doc detector lists the document itself; this one reads its instructions.
        return scan(file, text, text, 0);
      }
    }
    for (const name of README_NAMES) {
      const file = inApp(appDir, name);
      const text = repo.has(file) ? await repo.read(file) : null;
      const sec = text === null ? null : deploySection(text);
      if (text !== null && sec) {
        return [{ kind: 'artifact', type: 'deploy-doc', path: file, summary: { kind: 'README deploy section' }, source: 'docs', confidence: 'medium', detector: 'deploy-doc', evidence: [cite(file, text, sec.offset)] }, ...scan(file, text, sec.text, sec.offset)];
      }
    }
    return [];
  },
};

// The deploy section of the README: production instructions as hints (DEPLOY.md itself is read by artifacts-deploy-doc).
import { cite, inApp } from '../../evidence.js';
import { deployInstructions } from './instructions.js';
import type { Detector } from '../../types.js';

const README_NAMES = ['README.md', 'readme.md', 'README.MD', 'Readme.md'];
const DEPLOY_HEADING = /^#{1,4}\s+.*\b(deploy(ment|ing)?|production|running in production|self-host(ing)?)\b.*$/im;

/** The text of the deploy section: from its heading to the next heading of the same or higher level. */
export function deploySection(readme: string): { text: string; offset: number } | null {
  const m = DEPLOY_HEADING.exec(readme);
  if (!m) return null;
  const level = /^#+/.exec(m[0])?.[0].length ?? 2;
  const after = readme.slice(m.index + m[0].length);
  const next = new RegExp(`^#{1,${level}}\\s`, 'm').exec(after);
  return { text: readme.slice(m.index, m.index + m[0].length + (next ? next.index : after.length)), offset: m.index };
}

const NAME = 'docs-readme-deploy';

export const deployDocDetector: Detector = {
  name: NAME,
  async detect({ repo, appDir }) {
    for (const name of README_NAMES) {
      const file = inApp(appDir, name);
      const text = repo.has(file) ? await repo.read(file) : null;
      const sec = text === null ? null : deploySection(text);
      if (text !== null && sec) {
        return [{ kind: 'artifact', type: 'deploy-doc', path: file, summary: { kind: 'README deploy section' }, source: 'docs', confidence: 'medium', detector: NAME, evidence: [cite(file, text, sec.offset)] }, ...deployInstructions(file, text, sec.text, sec.offset, NAME)];
      }
    }
    return [];
  },
};

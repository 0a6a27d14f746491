// The SKILL.md files deckhand ships: where they live in the package, and reading them back validated.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeckhandError } from '../../core/errors.js';
import { checkSkillFile } from './frontmatter.js';

/** One skill per stage of the deploy guide, the orchestrator first. */
export const SKILL_NAMES = [
  'repo-service-lifecycle',
  'repo-runtime-discovery',
  'target-host-readiness',
  'deployment-executor',
  'deployment-verifier',
  'service-operations',
  'incident-rollback',
] as const;
export type SkillName = (typeof SKILL_NAMES)[number];

export interface BundledSkill { name: SkillName; description: string; content: string }

/**
 * The skills folder inside the package. The module sits at different depths depending on how deckhand
 * runs (src/stages/skills under tsx, dist/stages/skills after tsc, dist/cli.js or dist/chunks when
 * bundled), so walk up until a folder holding the skills is found.
 */
export function skillsSourceDir(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (let i = 0; i < 5; i++) {
    const candidate = join(dir, 'skills');
    if (existsSync(join(candidate, SKILL_NAMES[0], 'SKILL.md'))) return candidate;
    dir = dirname(dir);
  }
  throw new DeckhandError('internal', `the skill files are missing: no skills/${SKILL_NAMES[0]}/SKILL.md above ${from}`, {
    hint: 'the package is incomplete; rebuild it (npm run build) or reinstall deckhand',
  });
}

/** Every shipped skill, checked: a broken SKILL.md must never reach an agent's folder. */
export async function readBundledSkills(sourceDir: string = skillsSourceDir()): Promise<BundledSkill[]> {
  const out: BundledSkill[] = [];
  for (const name of SKILL_NAMES) {
    const path = join(sourceDir, name, 'SKILL.md');
    const content = await readFile(path, 'utf8').catch(() => {
      throw new DeckhandError('internal', `skill file missing: ${path}`, { hint: 'rebuild (npm run build) or reinstall deckhand' });
    });
    const checked = checkSkillFile(content, name);
    if (!checked.ok) throw new DeckhandError('internal', `skill file ${path} is invalid: ${checked.problems.join('; ')}`);
    out.push({ name, description: checked.frontmatter.description, content });
  }
  return out;
}

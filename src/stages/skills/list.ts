// `skills list`: which of deckhand's skills each agent folder holds, and whether each matches this version.
import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { agentSkillsDir, AGENTS, scopeRoot, type AgentId, type Scope } from './agents.js';
import { readBundledSkills, type BundledSkill } from './catalogue.js';

/** current: identical to what this deckhand installs · differs: edited, or from another version · missing: not installed. */
export type SkillState = 'current' | 'differs' | 'missing';

export interface ListedSkill { skill: string; path: string; relPath: string; state: SkillState }
export interface ListedAgent { agent: AgentId; label: string; dir: string; skills: ListedSkill[] }
export interface ListResult { root: string; global: boolean; agents: ListedAgent[] }

export interface ListOptions extends Scope {
  agents: readonly AgentId[];
  skills?: readonly BundledSkill[];
}

export async function listSkills(opts: ListOptions): Promise<ListResult> {
  const skills = opts.skills ?? await readBundledSkills();
  const root = scopeRoot(opts);
  const agents: ListedAgent[] = [];
  for (const agent of opts.agents) {
    const dir = agentSkillsDir(agent, opts);
    const rows: ListedSkill[] = [];
    for (const skill of skills) {
      const path = join(dir, skill.name, 'SKILL.md');
      const text = await readFile(path, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
        throw err;
      });
      const state: SkillState = text === null ? 'missing' : text === skill.content ? 'current' : 'differs';
      rows.push({ skill: skill.name, path, relPath: relative(root, path), state });
    }
    agents.push({ agent, label: AGENTS[agent].label, dir, skills: rows });
  }
  return { root, global: opts.global, agents };
}

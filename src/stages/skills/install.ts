// `skills install`: writes each shipped SKILL.md into each agent's folder, never over a file that differs unless forced.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { agentSkillsDir, scopeRoot, type AgentId, type Scope } from './agents.js';
import { readBundledSkills, type BundledSkill } from './catalogue.js';

/** created: new file · updated: replaced with --force · unchanged: already identical · kept: differs, left alone. */
export type InstallAction = 'created' | 'updated' | 'unchanged' | 'kept';

export interface InstallEntry { agent: AgentId; skill: string; path: string; relPath: string; action: InstallAction }

export interface InstallOptions extends Scope {
  agents: readonly AgentId[];
  force?: boolean;
  /** The skills to write; default: the ones in this package. */
  skills?: readonly BundledSkill[];
}

export interface InstallResult { root: string; global: boolean; entries: InstallEntry[]; counts: Record<InstallAction, number> }

async function readIfExists(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/** Writes beside the target then renames, so an agent never reads a half-written skill. */
async function writeAtomically(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.deckhand-${process.pid}.tmp`;
  await writeFile(tmp, content, { mode: 0o644 });
  await rename(tmp, path);
}

export async function installSkills(opts: InstallOptions): Promise<InstallResult> {
  const skills = opts.skills ?? await readBundledSkills();
  const root = scopeRoot(opts);
  const entries: InstallEntry[] = [];
  for (const agent of opts.agents) {
    const dir = agentSkillsDir(agent, opts);
    for (const skill of skills) {
      const path = join(dir, skill.name, 'SKILL.md');
      const existing = await readIfExists(path);
      let action: InstallAction;
      if (existing === null) action = 'created';
      else if (existing === skill.content) action = 'unchanged';
      else action = opts.force ? 'updated' : 'kept';
      if (action === 'created' || action === 'updated') await writeAtomically(path, skill.content);
      entries.push({ agent, skill: skill.name, path, relPath: relative(root, path), action });
    }
  }
  const counts: Record<InstallAction, number> = { created: 0, updated: 0, unchanged: 0, kept: 0 };
  for (const e of entries) counts[e.action]++;
  return { root, global: opts.global, entries, counts };
}

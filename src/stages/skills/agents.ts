// The coding agents deckhand installs skills for, and the folder each one reads skills from.
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { usageError } from '../../core/errors.js';

export const AGENT_IDS = ['opencode', 'claude', 'codex', 'cursor'] as const;
export type AgentId = (typeof AGENT_IDS)[number];

interface AgentFolders { label: string; project: string; global: string }

/** Folders as each agent documents them: project-level under the repository, global under the home directory. */
export const AGENTS: Record<AgentId, AgentFolders> = {
  opencode: { label: 'OpenCode', project: '.opencode/skills', global: '.config/opencode/skills' },
  claude: { label: 'Claude Code', project: '.claude/skills', global: '.claude/skills' },
  codex: { label: 'Codex', project: '.agents/skills', global: '.agents/skills' },
  cursor: { label: 'Cursor', project: '.cursor/skills', global: '.cursor/skills' },
};

/** `all`, one id, or a comma-separated list → the agents, in a stable order, without repeats. */
export function parseAgents(spec: string | readonly string[] | undefined): AgentId[] {
  const words = (Array.isArray(spec) ? spec : [spec ?? 'all']).flatMap((s: string) => s.split(',')).map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (words.length === 0 || words.includes('all')) return [...AGENT_IDS];
  const unknown = words.filter((w) => !(AGENT_IDS as readonly string[]).includes(w));
  if (unknown.length > 0) throw usageError(`unknown agent "${unknown.join('", "')}"`, `choose from: ${AGENT_IDS.join(', ')}, all`);
  return AGENT_IDS.filter((a) => words.includes(a));
}

export interface Scope {
  /** Under the home directory instead of the project. */
  global: boolean;
  /** The project directory, or with `global` the home directory; default: cwd, or the user's home. */
  dir?: string;
}

/** The directory the scope is relative to. */
export function scopeRoot(scope: Scope): string {
  return resolve(scope.dir ?? (scope.global ? homedir() : process.cwd()));
}

/** The folder that holds one agent's skills in this scope. */
export function agentSkillsDir(agent: AgentId, scope: Scope): string {
  const a = AGENTS[agent];
  return join(scopeRoot(scope), scope.global ? a.global : a.project);
}

// Agent skills: the SKILL.md files that teach coding agents to drive deckhand, and installing them per agent.
export { SKILL_NAMES, readBundledSkills, skillsSourceDir, type BundledSkill, type SkillName } from './catalogue.js';
export { checkSkillFile, splitSkillFile, type SkillCheck, type SkillFrontmatter } from './frontmatter.js';
export { AGENTS, AGENT_IDS, agentSkillsDir, parseAgents, type AgentId } from './agents.js';
export { installSkills, type InstallAction, type InstallEntry, type InstallResult } from './install.js';
export { listSkills, type ListResult, type SkillState } from './list.js';

// `deckhand skills install|list`: put the SKILL.md files that teach coding agents to drive deckhand where each agent reads them.
import { Command as Cmd } from 'commander';
import { EXIT, installSkills, listSkills, parseAgents, VERSION, type InstallAction, type SkillState } from '../index.js';
import type { GlobalOpts } from './shared.js';

interface SkillsFlags extends GlobalOpts { agent?: string[]; global?: boolean; force?: boolean; dir?: string }

type Run = (fn: () => Promise<number>, o: GlobalOpts) => Promise<void>;

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

const ACTION_TEXT: Record<InstallAction, string> = {
  created: 'created',
  updated: 'updated (--force)',
  unchanged: 'unchanged',
  kept: 'kept (differs; use --force)',
};

const STATE_TEXT: Record<SkillState, string> = {
  current: 'current',
  differs: 'differs from this version',
  missing: 'missing',
};

function scopeOptions(c: Cmd): Cmd {
  return c
    .option('--agent <name>', 'opencode, claude, codex, cursor or all; repeatable or comma-separated (default: all)', collect)
    .option('--global', 'the agents\' folders in your home directory instead of the project')
    .option('--dir <dir>', 'the project directory (with --global: the home directory) (default: the current directory)')
    .option('--json', 'print the result as JSON on stdout')
    // Subcommands are not covered by the entry's loop over top-level commands: a parse error here must exit 2 too.
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
}

function installCommand(run: Run): Cmd {
  return scopeOptions(new Cmd('install')
    .description('write the seven skills into each agent\'s skills folder (identical files are left alone)'))
    .option('--force', 'replace skill files that differ from this version')
    .action(async (o: SkillsFlags) => {
      await run(async () => {
        const r = await installSkills({ agents: parseAgents(o.agent), global: o.global === true, force: o.force === true, ...(o.dir ? { dir: o.dir } : {}) });
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ version: VERSION, root: r.root, global: r.global, counts: r.counts, files: r.entries }, null, 2)}\n`);
        } else {
          process.stdout.write(`deckhand ${VERSION} skills → ${r.root}${r.global ? ' (global)' : ''}\n`);
          for (const e of r.entries) process.stdout.write(`  ${ACTION_TEXT[e.action].padEnd(28)} ${e.relPath}\n`);
          const c = r.counts;
          process.stdout.write(`${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged, ${c.kept} kept\n`);
        }
        // A kept file is a decision, not a failure, but the agent will read the old text: say how to replace it.
        if (r.counts.kept > 0) process.stderr.write(`${r.counts.kept} file(s) differ from this version and were kept; compare them, then rerun with --force to replace them\n`);
        return EXIT.ok;
      }, o);
    });
}

function listCommand(run: Run): Cmd {
  return scopeOptions(new Cmd('list')
    .description('show which skills are installed for each agent, and whether they match this version'))
    .action(async (o: SkillsFlags) => {
      await run(async () => {
        const r = await listSkills({ agents: parseAgents(o.agent), global: o.global === true, ...(o.dir ? { dir: o.dir } : {}) });
        if (o.json) {
          process.stdout.write(`${JSON.stringify({ version: VERSION, root: r.root, global: r.global, agents: r.agents }, null, 2)}\n`);
          return EXIT.ok;
        }
        process.stdout.write(`deckhand ${VERSION} skills in ${r.root}${r.global ? ' (global)' : ''}\n`);
        for (const a of r.agents) {
          const installed = a.skills.filter((s) => s.state !== 'missing').length;
          process.stdout.write(`${a.label} (${a.dir}): ${installed}/${a.skills.length} installed\n`);
          if (installed === 0) continue;
          for (const s of a.skills) process.stdout.write(`  ${s.skill.padEnd(24)} ${STATE_TEXT[s.state]}\n`);
        }
        return EXIT.ok;
      }, o);
    });
}

export function skillsCommand(run: Run): Cmd {
  return new Cmd('skills')
    .description('install the SKILL.md files that teach coding agents (OpenCode, Claude Code, Codex, Cursor) to drive deckhand')
    .addCommand(installCommand(run))
    .addCommand(listCommand(run));
}

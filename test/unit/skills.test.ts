// Agent skills: every shipped SKILL.md is valid Agent Skills format; install is idempotent per agent folder and never overwrites without --force; list reports state.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { AGENT_IDS, agentSkillsDir, parseAgents } from '../../src/stages/skills/agents.js';
import { readBundledSkills, SKILL_NAMES, skillsSourceDir } from '../../src/stages/skills/catalogue.js';
import { checkSkillFile, splitSkillFile } from '../../src/stages/skills/frontmatter.js';
import { installSkills } from '../../src/stages/skills/install.js';
import { listSkills } from '../../src/stages/skills/list.js';

const temps: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'deckhand-skills-'));
  temps.push(d);
  return d;
}
after(() => { for (const d of temps) rmSync(d, { recursive: true, force: true }); });

const EXPECTED_DIRS = {
  opencode: '.opencode/skills', claude: '.claude/skills', codex: '.agents/skills', cursor: '.cursor/skills',
} as const;
const EXPECTED_GLOBAL = {
  opencode: '.config/opencode/skills', claude: '.claude/skills', codex: '.agents/skills', cursor: '.cursor/skills',
} as const;

describe('shipped skills', () => {
  test('the source folder holds the seven skills of the guide', async () => {
    assert.equal(skillsSourceDir(), fileURLToPath(new URL('../../src/skills', import.meta.url)));
    const skills = await readBundledSkills();
    assert.deepEqual(skills.map((s) => s.name).sort(), [
      'deployment-executor', 'deployment-verifier', 'incident-rollback', 'repo-runtime-discovery',
      'repo-service-lifecycle', 'service-operations', 'target-host-readiness',
    ]);
  });

  test('each is YAML frontmatter + a focused Markdown body that drives deckhand', async () => {
    for (const s of await readBundledSkills()) {
      const parts = splitSkillFile(s.content);
      assert.ok(parts, `${s.name}: frontmatter`);
      const fm = parse(parts.yaml) as Record<string, unknown>;
      assert.equal(fm.name, s.name);
      assert.match(String(fm.name), /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(String(fm.name).length <= 64);
      assert.equal(typeof fm.description, 'string');
      const description = fm.description as string;
      assert.ok(description.length > 0 && description.length <= 1024, `${s.name}: description is ${description.length} chars`);
      assert.match(description, /\bUse (for|when|right|before)\b/, `${s.name}: the description says when to use it`);
      assert.match(String(fm.compatibility), /deckhand/);
      const lines = parts.body.trim().split('\n').length;
      assert.ok(lines >= 50 && lines <= 150, `${s.name}: body has ${lines} lines`);
      // Checked with test() so a failure names the skill instead of printing its whole body.
      assert.ok(/^# /m.test(parts.body), `${s.name}: a title`);
      assert.ok(/deckhand [a-z]+ .*--json/.test(parts.body), `${s.name}: deckhand commands with --json`);
      assert.ok(/UNKNOWN never counts as pass/i.test(parts.body), `${s.name}: unknown is never pass`);
      assert.ok(/secret/i.test(parts.body), `${s.name}: the secrets rule`);
      assert.ok(checkSkillFile(s.content, s.name).ok);
    }
  });
});

describe('checkSkillFile', () => {
  const body = '\n# T\n\ntext\n';
  test('accepts a valid file', () => {
    const r = checkSkillFile(`---\nname: my-skill\ndescription: Does x. Use when y.\nmetadata:\n  a: b\n---${body}`, 'my-skill');
    assert.ok(r.ok);
    if (r.ok) assert.deepEqual(r.frontmatter, { name: 'my-skill', description: 'Does x. Use when y.', metadata: { a: 'b' } });
  });
  test('rejects what the spec forbids', () => {
    const bad = (fm: string, folder = 'my-skill'): string[] => {
      const r = checkSkillFile(`---\n${fm}\n---${body}`, folder);
      return r.ok ? [] : r.problems;
    };
    assert.match(bad('name: My_Skill\ndescription: d', 'My_Skill').join(), /lowercase/);
    assert.match(bad('name: my--skill\ndescription: d', 'my--skill').join(), /lowercase/);
    assert.match(bad(`name: ${'a'.repeat(65)}\ndescription: d`, 'a'.repeat(65)).join(), /lowercase/);
    assert.match(bad('name: other\ndescription: d').join(), /differs from its folder/);
    assert.match(bad('name: my-skill\ndescription: ""').join(), /description/);
    assert.match(bad(`name: my-skill\ndescription: ${'x'.repeat(1025)}`).join(), /1025 characters/);
    assert.match(bad('name: my-skill\ndescription: d\nmetadata:\n  n: 1').join(), /metadata/);
    assert.match(bad('name: [unclosed').join(), /not valid YAML/);
    const noFm = checkSkillFile('# no frontmatter\n', 'x');
    assert.ok(!noFm.ok && /no YAML frontmatter/.test(noFm.problems.join()));
  });
});

describe('parseAgents and folders', () => {
  test('all, lists and repeats', () => {
    assert.deepEqual(parseAgents(undefined), [...AGENT_IDS]);
    assert.deepEqual(parseAgents('all'), [...AGENT_IDS]);
    assert.deepEqual(parseAgents(['cursor,claude', 'claude']), ['claude', 'cursor']);
    assert.throws(() => parseAgents('vim'), /unknown agent "vim"/);
  });
  test('project and global folders per agent', () => {
    for (const a of AGENT_IDS) {
      assert.equal(agentSkillsDir(a, { global: false, dir: '/p' }), join('/p', EXPECTED_DIRS[a]));
      assert.equal(agentSkillsDir(a, { global: true, dir: '/home/u' }), join('/home/u', EXPECTED_GLOBAL[a]));
    }
  });
});

describe('installSkills and listSkills', () => {
  test('--agent all into a fresh directory: every file created and valid; list says current', async () => {
    const dir = tempDir();
    const r = await installSkills({ agents: parseAgents('all'), global: false, dir });
    assert.equal(r.entries.length, AGENT_IDS.length * SKILL_NAMES.length);
    assert.deepEqual(r.counts, { created: 28, updated: 0, unchanged: 0, kept: 0 });
    for (const e of r.entries) {
      assert.equal(e.path, join(dir, EXPECTED_DIRS[e.agent], e.skill, 'SKILL.md'));
      assert.equal(e.relPath, join(EXPECTED_DIRS[e.agent], e.skill, 'SKILL.md'));
      const text = readFileSync(e.path, 'utf8');
      const parts = splitSkillFile(text);
      assert.ok(parts);
      const fm = parse(parts.yaml) as { name: string; description: string };
      assert.equal(fm.name, e.skill, 'name equals the folder');
      assert.ok(fm.description.length > 0 && fm.description.length <= 1024);
    }
    const listed = await listSkills({ agents: parseAgents('all'), global: false, dir });
    assert.equal(listed.agents.length, 4);
    for (const a of listed.agents) assert.ok(a.skills.every((s) => s.state === 'current'), a.agent);
  });

  test('a second run changes nothing; a modified file is kept without --force and replaced with it', async () => {
    const dir = tempDir();
    await installSkills({ agents: ['claude', 'codex'], global: false, dir });
    const again = await installSkills({ agents: ['claude', 'codex'], global: false, dir });
    assert.ok(again.entries.every((e) => e.action === 'unchanged'));

    const edited = join(dir, '.claude/skills/deployment-verifier/SKILL.md');
    const original = readFileSync(edited, 'utf8');
    writeFileSync(edited, `${original}\nlocal note\n`);
    const kept = await installSkills({ agents: ['claude', 'codex'], global: false, dir });
    assert.deepEqual(kept.counts, { created: 0, updated: 0, unchanged: 13, kept: 1 });
    assert.equal(kept.entries.find((e) => e.action === 'kept')?.path, edited);
    assert.match(readFileSync(edited, 'utf8'), /local note/);

    const listed = await listSkills({ agents: ['claude', 'cursor'], global: false, dir });
    const claude = listed.agents.find((a) => a.agent === 'claude');
    assert.equal(claude?.skills.find((s) => s.skill === 'deployment-verifier')?.state, 'differs');
    assert.ok(listed.agents.find((a) => a.agent === 'cursor')?.skills.every((s) => s.state === 'missing'));

    const forced = await installSkills({ agents: ['claude', 'codex'], global: false, dir, force: true });
    assert.deepEqual(forced.counts, { created: 0, updated: 1, unchanged: 13, kept: 0 });
    assert.equal(readFileSync(edited, 'utf8'), original);
  });

  test('--global writes under the home directory', async () => {
    const home = tempDir();
    const r = await installSkills({ agents: ['opencode'], global: true, dir: home });
    assert.equal(r.entries[0]?.path, join(home, '.config/opencode/skills', r.entries[0]?.skill ?? '', 'SKILL.md'));
  });
});

describe('deckhand skills (CLI)', () => {
  const exec = promisify(execFile);
  const cli = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));
  const run = (args: string[]): Promise<{ stdout: string; code: number }> =>
    exec(process.execPath, ['--import', 'tsx', cli, ...args], { timeout: 60_000 })
      .then((r) => ({ stdout: r.stdout, code: 0 }))
      .catch((e: { stdout?: string; code?: number }) => ({ stdout: e.stdout ?? '', code: e.code ?? -1 }));

  test('install --json lists actions per file; list --json reports them; a bad agent is a usage error', async () => {
    const dir = tempDir();
    const first = await run(['skills', 'install', '--agent', 'all', '--dir', dir, '--json']);
    assert.equal(first.code, 0);
    const out = JSON.parse(first.stdout) as { files: { agent: string; skill: string; action: string }[]; counts: Record<string, number> };
    assert.equal(out.files.length, 28);
    assert.equal(out.counts.created, 28);
    const second = JSON.parse((await run(['skills', 'install', '--dir', dir, '--json'])).stdout) as typeof out;
    assert.ok(second.files.every((f) => f.action === 'unchanged'));

    const listed = await run(['skills', 'list', '--dir', dir, '--json']);
    assert.equal(listed.code, 0);
    const l = JSON.parse(listed.stdout) as { agents: { agent: string; skills: { state: string }[] }[] };
    assert.deepEqual(l.agents.map((a) => a.agent), ['opencode', 'claude', 'codex', 'cursor']);
    assert.ok(l.agents.every((a) => a.skills.length === 7 && a.skills.every((s) => s.state === 'current')));

    assert.equal((await run(['skills', 'install', '--agent', 'vim', '--dir', dir])).code, 2);
    assert.equal((await run(['skills', 'install', '--bogus'])).code, 2);
  });
});

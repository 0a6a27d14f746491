// `deckhand discover` as a user runs it: schema-valid briefs, bad input, git URLs with tokens, and `check --brief`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { runCli } from '../helpers/cli.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/discover/', import.meta.url));

async function briefValidator() {
  const s = await runCli(['schema', 'brief']);
  assert.equal(s.code, 0, s.stderr);
  return new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(s.stdout) as object);
}

interface Brief { status: string; data: { app: string; root: string; commit: string | null; stack: { ecosystem: { value: string } | null }; port: { value: number } | null; strategy: string | null; envVars: { name: string }[]; runtimes: { name: string; range: string | null }[] } }

test('discover on a fixture repo prints a brief that validates against the exported schema, and Markdown in the guide layout', async () => {
  const validate = await briefValidator();
  const dir = join(FIXTURES, 'node-express');
  const r = await runCli(['discover', dir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const brief = JSON.parse(r.stdout) as Brief;
  assert.ok(validate(brief), JSON.stringify(validate.errors?.slice(0, 3)));
  assert.equal(brief.data.stack.ecosystem?.value, 'node');
  const md = await runCli(['discover', dir]);
  for (const h of ['## Deployment Brief:', '### Tech Stack', '### Entry Points', '### Dependencies & Configuration', '### Health Endpoints', '### Proposed Deployment Strategy', '### Risks / Blockers']) {
    assert.ok(md.stdout.includes(h), `missing ${h}`);
  }
});

test('bad input: a missing path and a file exit 2; an empty directory yields nothing-found', async () => {
  const missing = await runCli(['discover', '/nonexistent/deckhand/repo']);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /no such directory/);
  const file = await runCli(['discover', fileURLToPath(import.meta.url)]);
  assert.equal(file.code, 2);
  assert.match(file.stderr, /is a file, not a directory/);
  const empty = await mkdtemp(join(tmpdir(), 'dh-empty-'));
  try {
    const r = await runCli(['discover', empty, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as Brief).status, 'nothing-found');
  } finally { await rm(empty, { recursive: true, force: true }); }
});

test('git URLs: a local repository is cloned shallowly with its commit; a token in a failing URL is never printed', async () => {
  const work = await mkdtemp(join(tmpdir(), 'dh-git-'));
  try {
    const src = join(work, 'src');
    await mkdir(src);
    await writeFile(join(src, 'package.json'), JSON.stringify({ name: 'gitapp', scripts: { start: 'node server.js' }, dependencies: { express: '^4.19.0' } }, null, 2));
    await writeFile(join(src, 'server.js'), "const app = require('express')();\napp.listen(process.env.PORT || 4000);\n");
    const git = (args: string[]): string => execFileSync('git', ['-C', src, ...args], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' } });
    git(['init', '-q']); git(['add', '.']); git(['commit', '-qm', 'init']);
    const sha = git(['rev-parse', 'HEAD']).trim();
    const r = await runCli(['discover', `file://${src}`, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const brief = JSON.parse(r.stdout) as Brief;
    assert.equal(brief.data.commit, sha);
    assert.equal(brief.data.stack.ecosystem?.value, 'node');

    const token = 'ghp_canaryTOKEN1234567890';
    const bad = await runCli(['discover', `https://${token}@127.0.0.1:1/org/repo.git`], { timeoutMs: 60_000 });
    assert.equal(bad.code, 3, bad.stderr);
    assert.match(bad.stderr, /could not clone/);
    assert.ok(!bad.stderr.includes(token) && !bad.stdout.includes(token), 'token leaked');
  } finally { await rm(work, { recursive: true, force: true }); }
});

test('check --brief reads the runtime and port the brief found', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'dh-brief-'));
  try {
    const d = await runCli(['discover', join(FIXTURES, 'node-express'), '--json']);
    const brief = JSON.parse(d.stdout) as Brief;
    const file = join(dir, 'brief.json');
    await writeFile(file, d.stdout);
    const c = await runCli(['check', 'local', '--brief', file, '--json']);
    assert.ok(c.code === 0 || c.code === 1, c.stderr);
    const rep = JSON.parse(c.stdout) as { data: { requirements: { ports: number[]; tools: { name: string; range: string | null; source: string }[] } } };
    if (brief.data.port) assert.ok(rep.data.requirements.ports.includes(brief.data.port.value));
    const rt = brief.data.runtimes[0];
    if (rt) assert.ok(rep.data.requirements.tools.some((t) => t.name === rt.name && t.source === 'brief'), JSON.stringify(rep.data.requirements.tools));
    assert.ok(brief.data.port && rt, 'the fixture has a port and a runtime');
  } finally { await rm(dir, { recursive: true, force: true }); }
});

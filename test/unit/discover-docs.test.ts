// DEPLOY.md and README deploy sections as hints: commands, ports and env names with their lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployDocDetector, deploySection } from '../../src/stages/discover/detectors/docs/deploy-doc.js';
import { deployDocDetector as artifactDeployDoc } from '../../src/stages/discover/detectors/artifacts/deploy-doc.js';
import { memoryRepo } from '../helpers/memory-repo.js';

const README = [
  '# Shop', '', 'A shop.', '', '## Development', '', '```', 'npm run dev', '```', '',
  '## Deploying to production', '', 'Set `DATABASE_URL` and `SESSION_SECRET`, then run:', '', '```', 'npm start', '```', '',
  'The server listens on port 8081.', '', '## License', 'MIT, port 9999 is not part of the deploy section.',
].join('\n');

test('the deploy section ends at the next heading of its level', () => {
  const s = deploySection(README);
  assert.ok(s);
  assert.match(s.text, /^## Deploying to production/);
  assert.doesNotMatch(s.text, /License|9999|npm run dev/);
});

test('README deploy section: start command, port and env names, each with its line, source docs', async () => {
  const sig = await deployDocDetector.detect({ repo: memoryRepo({ 'README.md': README }), appDir: '' });
  const start = sig.find((s) => s.kind === 'command');
  assert.ok(start && start.kind === 'command');
  assert.equal(start.command, 'npm start');
  assert.equal(start.source, 'docs');
  assert.equal(start.evidence[0]?.line, 16);
  const port = sig.find((s) => s.kind === 'port');
  assert.ok(port && port.kind === 'port' && port.port === 8081 && port.evidence[0]?.line === 19);
  assert.deepEqual(sig.filter((s) => s.kind === 'env').map((s) => (s.kind === 'env' ? s.name : '')), ['DATABASE_URL', 'SESSION_SECRET']);
});

test('a README without a deploy section gives nothing; DEPLOY.md is read whole, once, by the artifacts detector', async () => {
  assert.deepEqual(await deployDocDetector.detect({ repo: memoryRepo({ 'README.md': '# x\n\nnpm start\n' }), appDir: '' }), []);
  const deployMd = memoryRepo({ 'svc/DEPLOY.md': 'Run `gunicorn app:app` behind nginx.\n\n    gunicorn app:app\n' });
  assert.deepEqual(await deployDocDetector.detect({ repo: deployMd, appDir: 'svc' }), [], 'DEPLOY.md is not read twice');
  const sig = await artifactDeployDoc.detect({ repo: deployMd, appDir: 'svc' });
  assert.ok(sig.some((s) => s.kind === 'artifact' && s.path === 'svc/DEPLOY.md'));
  const cmd = sig.find((s) => s.kind === 'command');
  assert.ok(cmd && cmd.kind === 'command' && cmd.command === 'gunicorn app:app' && cmd.source === 'docs' && cmd.evidence[0]?.line === 3);
});

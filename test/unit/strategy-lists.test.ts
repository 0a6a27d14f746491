// Which strategies each front takes: readiness judges script (general host checks) and names kubernetes' own check;
// `up` refuses kubernetes before touching anything; the MCP deploy inputs take kubernetes, the readiness tool only what a probe judges.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { DeckhandError } from '../../src/core/errors.js';
import { Redactor } from '../../src/core/redact.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import { deployInputs } from '../../src/mcp/inputs.js';
import { READINESS_STRATEGIES, resolveRequirements } from '../../src/stages/readiness/requirements.js';
import { up } from '../../src/stages/lifecycle/up.js';
import { ReadinessReportSchema } from '../../src/report/readiness.js';

describe('strategy lists', () => {
  it('readiness takes script (the host\'s general checks) and every host strategy; the report schema accepts each', async () => {
    assert.equal((await resolveRequirements({ strategy: 'script' })).strategy, 'script');
    const reported = ReadinessReportSchema.shape.data.shape.requirements.shape.strategy;
    for (const s of READINESS_STRATEGIES) assert.ok(reported.safeParse(s).success, s);
  });

  it('readiness with kubernetes says which check to run instead of "unknown strategy"', async () => {
    await assert.rejects(resolveRequirements({ strategy: 'kubernetes' }), (e: unknown) =>
      e instanceof DeckhandError && e.kind === 'usage' && !/unknown strategy/.test(e.message) && /deckhand check --strategy kubernetes/.test(e.hint ?? ''));
  });

  it('up --strategy kubernetes is refused with the commands to use, before any command runs', async () => {
    const exec = new RecordingExecutor([{ match: /.*/, stdout: '' }]);
    await assert.rejects(up({ executor: exec, redactor: new Redactor() }, { source: '/nonexistent', target: 'local', out: '/nonexistent/reports', strategy: 'kubernetes' }),
      (e: unknown) => e instanceof DeckhandError && e.kind === 'usage' && /deckhand deploy --strategy kubernetes/.test(e.hint ?? ''));
    assert.equal(exec.calls.length, 0);
  });

  it('the MCP deploy inputs take kubernetes and swarm', () => {
    const strategy = z.object(deployInputs).shape.strategy;
    for (const s of ['kubernetes', 'swarm', 'script', 'blue-green']) assert.ok(strategy.safeParse(s).success, s);
  });
});

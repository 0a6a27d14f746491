// Secrets: a registered canary that reaches the report (through the base dir and the probe's answer) appears in neither JSON nor Markdown.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MASK, Redactor } from '../../src/core/redact.js';
import { RecordingExecutor } from '../../src/exec/recording.js';
import { renderReadinessMarkdown } from '../../src/report/markdown-readiness.js';
import { renderReadinessTerminal } from '../../src/report/terminal.js';
import { checkReadiness } from '../../src/stages/readiness/index.js';
import { diskBody, fullProbe, section } from './helpers/probe-output.js';

/** Runs checkReadiness with the canary inside the base dir; the probe's answer echoes the path back in several sections. */
async function reportWithCanary(canary: string) {
  const parent = `/srv/${canary}`;
  const baseDir = `${parent}/app`;
  const stdout = fullProbe({
    sections: [
      section('port:3000', `via=ss\nLISTEN 0 511 0.0.0.0:3000 0.0.0.0:* users:(("node",pid=1452,fd=18))\nowner pid=1452 user=deploy comm=node exe=${parent}/bin/node`),
      section('base:primary', `exists=no\nchecked=${parent}\nisdir=yes\nwritable=no`),
    ],
    tools: { node: { body: `path=${parent}/bin/node\nv20.11.1` } },
  }).replace(/@@begin disk:app\n[\s\S]*?@@end disk:app rc=0\n/, section('disk:app', diskBody(parent, 1000, 10, parent)));
  assert.ok(stdout.includes(canary), 'the canned answer carries the canary');
  const redactor = new Redactor();
  redactor.add(canary);
  const rec = new RecordingExecutor([{ match: 'sh -s', stdout }]);
  const report = await checkReadiness({ executor: rec, redactor }, { baseDir, port: [3000], require: ['node'] }, true);
  // The probe script carried it to the host (shell-quoted, so a ' inside reads '\''): only output is masked.
  assert.ok(String(rec.calls[0]?.stdin).includes(canary.replace(/'/g, "'\\''")), 'the probe script carried the canary');
  return report;
}

describe('a registered secret never reaches the reports', () => {
  test('plain canary: masked in JSON and Markdown, the rest intact', async () => {
    const canary = 'CANARY-7f3a9c51d2';
    const report = await reportWithCanary(canary);
    const json = JSON.stringify(report, null, 2);
    const md = renderReadinessMarkdown(report);
    assert.ok(!json.includes(canary), 'not in the JSON');
    assert.ok(!md.includes(canary), 'not in the Markdown');
    assert.ok(!renderReadinessTerminal(report).includes(canary), 'not in the terminal summary');
    assert.ok(!json.includes('7f3a9c51d2'));
    assert.equal(report.data.requirements.baseDir, `/srv/${MASK}/app`);
    assert.equal(report.data.facts.base.checkedPath, `/srv/${MASK}`);
    assert.ok(md.includes(`/srv/${MASK}/app`), 'the masked path is still shown');
    assert.equal(report.data.facts.ports[0]?.holders[0]?.pid, 1452, 'non-secret facts are untouched');
  });

  test('a canary with quotes and a backslash (JSON-escaped in the file) is masked too', async () => {
    const canary = `can"ary\\x'y-7f3a9c`;
    const report = await reportWithCanary(canary);
    const json = JSON.stringify(report, null, 2);
    const md = renderReadinessMarkdown(report);
    assert.ok(!json.includes(canary));
    assert.ok(!json.includes(JSON.stringify(canary).slice(1, -1)), 'not in the JSON, even escaped');
    assert.ok(!json.includes('7f3a9c'));
    assert.ok(!md.includes(canary));
    assert.ok(!md.includes('7f3a9c'));
  });
});

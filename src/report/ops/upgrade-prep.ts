// The data of `deckhand ops upgrade-prep` in the Operations Report, and its Markdown section.
import { z } from 'zod';

const BumpSchema = z.enum(['major', 'minor', 'patch', 'prerelease', 'none', 'unknown']);
export type Bump = z.infer<typeof BumpSchema>;

export const RuntimeSupportSchema = z.object({
  status: z.enum(['supported', 'ending-soon', 'end-of-life', 'unknown']).describe('from the table in deckhand, as of the run; unknown beyond it'),
  line: z.string().nullable().describe('the release line looked up, e.g. "20" or "3.11"'),
  lts: z.boolean().nullable().describe('Node.js: an LTS line (even-numbered)'),
  endOfLife: z.string().nullable().describe('end-of-life date (YYYY-MM-DD, or YYYY-MM when only the month is announced)'),
  source: z.string().nullable().describe('where the table row comes from'),
  note: z.string(),
});

export const UpgradeRuntimeSchema = z.object({
  name: z.string().nullable().describe('node, python, go, java, ruby; null when the ecosystem is not known'),
  running: z.object({
    version: z.string().nullable(),
    pid: z.number().int().nullable(),
    exe: z.string().nullable().describe("the process's own executable (/proc/PID/exe), or the container it runs in"),
    replacedOnDisk: z.boolean().describe('the executable was deleted or replaced since the process started'),
    evidence: z.string(),
    problem: z.string().nullable(),
  }),
  onPath: z.object({ version: z.string().nullable(), exe: z.string().nullable() }).nullable().describe('what the next start would run'),
  required: z.object({ range: z.string().nullable(), evidence: z.string().nullable() }).describe("the repository's runtime range (Deployment Brief)"),
  satisfies: z.boolean().nullable(),
  support: RuntimeSupportSchema,
});

export const UpgradeDependencySchema = z.object({
  name: z.string(),
  wanted: z.string().nullable().describe('the range the manifest asks for'),
  installed: z.string().nullable(),
  type: z.enum(['prod', 'dev', 'optional', 'peer', 'transitive']),
});

export const OutdatedSchema = z.object({
  name: z.string(),
  current: z.string().nullable(),
  wanted: z.string().nullable().describe('newest version the manifest range allows'),
  latest: z.string().nullable(),
  bump: BumpSchema.describe('from current to latest'),
});

export const UpgradeDependenciesSchema = z.object({
  manager: z.string().nullable(),
  source: z.string().nullable().describe('where the installed versions were read (node_modules, package-lock.json, pip list in .venv, go.mod)'),
  list: z.array(UpgradeDependencySchema).describe('direct dependencies of the current release'),
  transitive: z.number().int().nonnegative().describe('other installed packages (not listed)'),
  problem: z.string().nullable(),
  outdated: z.object({
    status: z.enum(['checked', 'unknown', 'skipped']),
    tool: z.string().nullable().describe('the command that asked the registry'),
    reason: z.string().nullable(),
    list: z.array(OutdatedSchema),
  }),
});

export const UpgradeMigrationsSchema = z.object({
  tool: z.string().nullable(),
  status: z.enum(['up-to-date', 'pending', 'unknown', 'not-detectable']),
  pending: z.array(z.string()),
  command: z.string().nullable(),
  reason: z.string().nullable(),
});

export const UpgradePlanStepSchema = z.object({
  title: z.string(),
  command: z.string().nullable().describe('the exact deckhand command, when the step has one'),
  detail: z.string(),
});

export const UpgradePlanSchema = z.object({
  strategy: z.string(),
  zeroDowntime: z.boolean().nullable().describe('whether a deploy with the current strategy keeps serving; null when deckhand cannot tell'),
  note: z.string().describe('how the current strategy replaces the running release'),
  steps: z.array(UpgradePlanStepSchema),
});

export const OpsUpgradePrepDataSchema = z.object({
  task: z.literal('upgrade-prep'),
  release: z.object({
    id: z.string(), commit: z.string().nullable(), strategy: z.string(), deployedAt: z.string(), dir: z.string().nullable(),
    rollbackPoint: z.string().nullable().describe('the release `deckhand rollback` restores now'),
  }),
  ecosystem: z.string().nullable(),
  runtime: UpgradeRuntimeSchema,
  dependencies: UpgradeDependenciesSchema,
  migrations: UpgradeMigrationsSchema,
  plan: UpgradePlanSchema,
});
export type OpsUpgradePrepData = z.infer<typeof OpsUpgradePrepDataSchema>;
export type UpgradePlan = z.infer<typeof UpgradePlanSchema>;

const code = (s: string): string => `\`${s.replace(/`/g, "'")}\``;
const cell = (s: string | null): string => (s ?? '—').replace(/\|/g, '\\|');

function runtimeLines(d: OpsUpgradePrepData): string[] {
  const r = d.runtime;
  const name = r.name ?? 'runtime';
  const where = [r.running.pid !== null ? `PID ${r.running.pid}` : null, r.running.exe].filter(Boolean).join(', ');
  const lines = ['## Runtime', ''];
  lines.push(r.running.version
    ? `- **Running:** ${name} ${r.running.version}${where ? ` (${where})` : ''}${r.running.replacedOnDisk ? ' — **the executable was replaced on disk since the start**' : ''}`
    : `- **Running:** UNKNOWN — ${r.running.problem ?? 'not found'}`);
  if (r.onPath) lines.push(`- **Next start runs:** ${r.onPath.version ?? 'UNKNOWN'}${r.onPath.exe ? ` (${r.onPath.exe})` : ''}`);
  const req = r.required.range ? `${r.required.range}${r.required.evidence ? ` (${r.required.evidence})` : ''}` : 'no range stated';
  const sat = r.satisfies === null ? 'UNKNOWN' : r.satisfies ? 'PASS' : 'BLOCKER';
  lines.push(`- **Repository asks for:** ${req} — **${sat}**`);
  const s = r.support;
  const label = { supported: 'SUPPORTED', 'ending-soon': 'END OF LIFE SOON', 'end-of-life': 'END OF LIFE', unknown: 'UNKNOWN' }[s.status];
  lines.push(`- **Support:** ${label} — ${s.note}${s.source ? ` (source: ${s.source})` : ''}`);
  return lines;
}

function dependencyLines(d: OpsUpgradePrepData): string[] {
  const deps = d.dependencies;
  const lines = ['', '## Dependencies', ''];
  if (deps.problem) lines.push(`- UNKNOWN — ${deps.problem}`);
  else lines.push(`- ${deps.list.length} direct (${deps.manager ?? '?'}; versions from ${deps.source ?? '?'}), ${deps.transitive} other installed`);
  const out = new Map(deps.outdated.list.map((o) => [o.name, o]));
  if (deps.list.length > 0) {
    lines.push('', '| Package | Type | Wanted | Installed | Latest | Update |', '|---|---|---|---|---|---|');
    for (const p of deps.list) {
      const o = out.get(p.name);
      lines.push(`| ${cell(p.name)} | ${p.type} | ${cell(p.wanted)} | ${cell(p.installed)} | ${cell(o?.latest ?? null)} | ${o ? o.bump : deps.outdated.status === 'checked' ? 'current' : '?'} |`);
    }
  }
  const o = deps.outdated;
  if (o.status === 'checked') {
    const n = o.list.length;
    const majors = o.list.filter((x) => x.bump === 'major').length;
    lines.push('', `- **Outdated:** ${n === 0 ? 'none' : `${n} (${majors} major)`}${o.tool ? ` — ${code(o.tool)}` : ''}`);
    for (const x of o.list.filter((y) => !deps.list.some((p) => p.name === y.name))) lines.push(`  - ${x.name} ${x.current ?? '?'} → ${x.latest ?? '?'} (${x.bump})`);
  } else {
    lines.push('', `- **Outdated:** ${o.status === 'skipped' ? 'SKIPPED' : 'UNKNOWN'} — ${o.reason ?? ''}`);
  }
  return lines;
}

function migrationLines(d: OpsUpgradePrepData): string[] {
  const m = d.migrations;
  const lines = ['', '## Pending Migrations', ''];
  if (m.status === 'not-detectable') lines.push(`- Not detectable: ${m.reason ?? ''}`);
  else if (m.status === 'unknown') lines.push(`- UNKNOWN (${m.tool ?? '?'}): ${m.reason ?? ''}`);
  else if (m.status === 'up-to-date') lines.push(`- ${m.tool ?? '?'}: no pending migrations${m.command ? ` — ${code(m.command)}` : ''}`);
  else {
    lines.push(`- **${m.pending.length} pending** (${m.tool ?? '?'})${m.command ? ` — ${code(m.command)}` : ''}`);
    for (const p of m.pending) lines.push(`  - ${p}`);
  }
  return lines;
}

export function renderUpgradePrepMarkdown(d: OpsUpgradePrepData): string[] {
  const r = d.release;
  const lines = [
    '## Service State', '',
    `- **Release:** ${code(r.id)}${r.commit ? ` (commit ${code(r.commit.slice(0, 7))})` : ''}, deployed ${r.deployedAt}`,
    `- **Strategy:** ${r.strategy}${r.dir ? ` in ${code(r.dir)}` : ''}`,
    `- **Rollback point:** ${r.rollbackPoint ? code(r.rollbackPoint) : 'none (first release)'}`,
    `- **Ecosystem:** ${d.ecosystem ?? 'UNKNOWN'}`,
    '',
    ...runtimeLines(d),
    ...dependencyLines(d),
    ...migrationLines(d),
    '', '## Zero-Downtime Upgrade Plan', '',
    `${d.plan.note}`, '',
  ];
  d.plan.steps.forEach((s, i) => {
    lines.push(`${i + 1}. **${s.title}**${s.command ? ` — ${code(s.command)}` : ''}`);
    if (s.detail) lines.push(`   ${s.detail}`);
  });
  return lines;
}

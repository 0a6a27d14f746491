// Places the traffic-moving command of a deploy in time: step starts from deckhand's progress lines, command durations from its execution report.

/** The parts of an Execution Report read here. */
export interface ReportTiming {
  steps: { id: string; title: string; durationMs: number }[];
  data: { commands: { step: string; command: string; durationMs: number }[] };
}

export interface StepStart { title: string; at: number }

/** deckhand deploy without --json prints `… <title>` on stderr when a step starts (no terminal: plain lines). */
export function stepStartTitle(line: string): string | null {
  return line.startsWith('… ') ? line.slice(2).trimEnd() : null;
}

/**
 * The first command for which `isSwitch` holds: its duration, and its start = its step's start (as seen here)
 * plus the durations of the step's commands before it. `at` is null when the step's start line was not seen;
 * both are null when the report has no such command (never guessed).
 */
export function switchMoment(report: ReportTiming, starts: readonly StepStart[], isSwitch: (command: string) => boolean): { at: number | null; ms: number | null } {
  const cmds = report.data.commands;
  const i = cmds.findIndex((c) => isSwitch(c.command));
  const hit = cmds[i];
  if (hit === undefined) return { at: null, ms: null };
  const title = report.steps.find((s) => s.id === hit.step)?.title;
  const stepAt = title === undefined ? undefined : starts.find((s) => s.title === title)?.at;
  if (stepAt === undefined) return { at: null, ms: hit.durationMs };
  const before = cmds.slice(0, i).filter((c) => c.step === hit.step).reduce((n, c) => n + c.durationMs, 0);
  return { at: stepAt + before, ms: hit.durationMs };
}

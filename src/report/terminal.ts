// Terminal output: a step list (spinner and timings on a TTY, plain lines otherwise) and a colored summary.
import { createColors } from 'picocolors';
import type { ProgressEvent } from '../core/context.js';
import type { Finding } from './common.js';
import { STATUS_LABEL } from './markdown-readiness.js';
import type { ReadinessReport } from './readiness.js';

type Colors = ReturnType<typeof createColors>;

/** Colors only for a terminal: picocolors alone would also color when CI is set, breaking piped output. */
export function colorsFor(stream: { isTTY?: boolean }): Colors {
  const env = process.env;
  const on = 'FORCE_COLOR' in env || (stream.isTTY === true && !('NO_COLOR' in env) && env.TERM !== 'dumb');
  return createColors(on);
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface StepPrinter { onProgress: (e: ProgressEvent) => void; stop: () => void }

/** Step printer writing to a stream (stderr), animated only when it is a TTY. */
export function stepPrinter(stream: NodeJS.WriteStream, mask: (s: string) => string): StepPrinter {
  const tty = stream.isTTY === true;
  const pc = colorsFor(stream);
  let timer: NodeJS.Timeout | undefined;
  let frame = 0;
  let current = '';
  const clear = (): void => { if (tty) stream.write('\r\x1b[2K'); };
  return {
    onProgress(e) {
      if (e.type === 'step-start') {
        current = mask(e.title);
        if (tty) {
          timer = setInterval(() => { clear(); stream.write(`${pc.cyan(FRAMES[frame++ % FRAMES.length] ?? '')} ${current}`); }, 80);
          timer.unref();
        } else {
          stream.write(`… ${current}\n`);
        }
        return;
      }
      if (timer) { clearInterval(timer); timer = undefined; }
      clear();
      const mark = e.status === 'pass' ? pc.green('✔') : e.status === 'fail' ? pc.red('✖') : pc.yellow('!');
      stream.write(`${tty ? mark : e.status.toUpperCase()} ${mask(e.title)} ${pc.dim(`(${e.durationMs} ms)`)}${e.detail ? ` — ${mask(e.detail)}` : ''}\n`);
    },
    stop() { if (timer) clearInterval(timer); clear(); },
  };
}

function color(pc: Colors, f: Finding): (s: string) => string {
  if (f.status === 'pass') return pc.green;
  if (f.status === 'warn' || (f.status === 'unknown' && !f.required)) return pc.yellow;
  if (f.status === 'skipped') return pc.dim;
  return pc.red;
}

export function renderReadinessTerminal(r: ReadinessReport, pc: Colors = colorsFor(process.stdout)): string {
  const out: string[] = [pc.bold(`Host Readiness Report: ${r.target.display}`)];
  let section = '';
  const titles: Record<string, string> = { system: 'System Resources', runtimes: 'Runtimes & Dependencies', network: 'Network & Ports', permissions: 'Permissions', secrets: 'Required Secrets' };
  for (const f of r.findings) {
    if (f.section !== section) { section = f.section; out.push('', pc.bold(titles[section] ?? section)); }
    const c = color(pc, f);
    out.push(`  ${c(STATUS_LABEL[f.status].padEnd(8))} ${f.title}: ${f.summary}`);
  }
  const detected = Object.entries(r.data.facts.tools).filter(([, t]) => t.present).map(([n, t]) => `${n} ${t.version ?? '?'}`);
  out.push('', `${pc.bold('Detected tools')}: ${detected.length > 0 ? detected.join(', ') : 'none of the known runtimes and tools'}`);
  const v = r.data.verdict;
  const vc = v === 'READY' ? pc.green : v === 'NOT READY' ? pc.red : pc.yellow;
  out.push('', `Conclusion: ${vc(pc.bold(v))}`);
  if (r.data.requiredActions.length > 0) {
    out.push(v === 'NOT READY' ? 'Required actions before execution:' : 'Recommended actions:');
    r.data.requiredActions.forEach((a, i) => out.push(`  ${i + 1}. ${a}`));
  }
  return out.join('\n');
}

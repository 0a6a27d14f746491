// Runtime support status from a small table kept in deckhand (no network): Node.js and Python release lines; UNKNOWN beyond it.
import type { OpsUpgradePrepData } from '../../../report/ops/upgrade-prep.js';

type Support = OpsUpgradePrepData['runtime']['support'];

/** Node.js release lines: end of life. Source: the Node.js release schedule (github.com/nodejs/Release, schedule.json). */
const NODE_SOURCE = 'Node.js release schedule, github.com/nodejs/Release schedule.json';
const NODE_EOL: Readonly<Record<string, string>> = {
  14: '2023-04-30', 15: '2021-06-01', 16: '2023-09-11', 17: '2022-06-01', 18: '2025-04-30', 19: '2023-06-01',
  20: '2026-04-30', 21: '2024-06-01', 22: '2027-04-30', 23: '2025-06-01', 24: '2028-04-30', 25: '2026-06-01', 26: '2029-04-30',
};

/**
 * Python release lines: end of life. Source: the Python developer's guide, "Status of Python versions"
 * (devguide.python.org/versions). Lines still in support are announced by month only.
 */
const PYTHON_SOURCE = 'Python devguide, devguide.python.org/versions';
const PYTHON_EOL: Readonly<Record<string, string>> = {
  '3.6': '2021-12-23', '3.7': '2023-06-27', '3.8': '2024-10-07', '3.9': '2025-10-31', '3.10': '2026-10', '3.11': '2027-10',
  '3.12': '2028-10', '3.13': '2029-10', '3.14': '2030-10',
};

/** Within this many days of the end of life the status is "ending-soon": an upgrade should be planned now. */
export const ENDING_SOON_DAYS = 180;

/** The last day of support: a month-only date counts to the end of that month. */
function lastDay(eol: string): Date {
  if (/^\d{4}-\d{2}$/.test(eol)) {
    const [y, m] = eol.split('-').map(Number) as [number, number];
    return new Date(Date.UTC(y, m, 0, 23, 59, 59));
  }
  return new Date(`${eol}T23:59:59Z`);
}

function judge(label: string, line: string, eol: string, lts: boolean | null, source: string, now: Date): Support {
  const end = lastDay(eol);
  const days = Math.floor((end.getTime() - now.getTime()) / 86_400_000);
  const kind = lts === null ? '' : lts ? ' (LTS line)' : ' (not an LTS line)';
  if (days < 0) return { status: 'end-of-life', line, lts, endOfLife: eol, source, note: `${label} ${line}${kind} reached its end of life on ${eol}: no more security fixes` };
  if (days <= ENDING_SOON_DAYS) return { status: 'ending-soon', line, lts, endOfLife: eol, source, note: `${label} ${line}${kind} reaches its end of life on ${eol} (in ${days} days)` };
  return { status: 'supported', line, lts, endOfLife: eol, source, note: `${label} ${line}${kind} is supported until ${eol}` };
}

function unknown(note: string, line: string | null = null): Support {
  return { status: 'unknown', line, lts: null, endOfLife: null, source: null, note };
}

/** Support status of a runtime version (e.g. node "20.20.2", python "3.11.2"); UNKNOWN for what the table does not hold. */
export function runtimeSupport(runtime: string | null, version: string | null, now: Date): Support {
  if (!runtime || !version) return unknown('no running version to look up');
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  if (!m) return unknown(`"${version}" is not a version deckhand can look up`);
  if (runtime === 'node') {
    const line = m[1] ?? '';
    const eol = NODE_EOL[line];
    if (!eol) return unknown(`Node.js ${line} is not in deckhand's support table (lines 14 to 26)`, line);
    return judge('Node.js', line, eol, Number(line) % 2 === 0, NODE_SOURCE, now);
  }
  if (runtime === 'python') {
    const line = `${m[1]}.${m[2]}`;
    const eol = PYTHON_EOL[line];
    if (!eol) return unknown(`Python ${line} is not in deckhand's support table (3.6 to 3.14)`, line);
    return judge('Python', line, eol, null, PYTHON_SOURCE, now);
  }
  return unknown(`deckhand keeps no support table for ${runtime}: check its vendor's lifecycle page`);
}

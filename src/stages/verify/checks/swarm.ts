// Process layer of a swarm deploy: running tasks == desired replicas, their image is the release's, the tasks' states and errors as evidence.
import { swarmTasksCommand } from '../../../commands/swarm.js';
import type { Finding } from '../../../report/common.js';
import type { LayerInput } from '../types.js';
import { evidence, probeFailed, runProbe, vfinding } from './on-target.js';

export interface SwarmTask { name: string; image: string; desired: string; current: string; error: string }
export interface SwarmView { service: string | null; replicas: number | null; image: string; update: string; tasks: SwarmTask[]; error: string | null }

export function parseSwarmTasks(text: string): SwarmView | null {
  const service = /^service=(.+)$/m.exec(text)?.[1] ?? null;
  const err = /^error=(.*)$/m.exec(text);
  if (err) return { service, replicas: null, image: '', update: '', tasks: [], error: err[1] ?? '' };
  const spec = /^spec=([^|]*)\|([^|]*)\|(.*)$/m.exec(text);
  if (!spec) return null;
  const tasks = [...text.matchAll(/^task=([^|]*)\|([^|]*)\|([^|]*)\|([^|]*)\|(.*)$/gm)]
    .map((m) => ({ name: m[1] ?? '', image: m[2] ?? '', desired: m[3] ?? '', current: m[4] ?? '', error: m[5] ?? '' }));
  const n = Number(spec[1]);
  return { service, replicas: Number.isInteger(n) ? n : null, image: spec[2] ?? '', update: spec[3] ?? '', tasks, error: null };
}

/** Judges the view (pure). `release` is the ledger's current release: the service must run `<app>:<release>`. */
export function judgeSwarm(app: string, release: string | null, v: SwarmView): { status: 'pass' | 'fail' | 'unknown'; summary: string; remedy?: string } {
  const svc = v.service ?? app;
  if (v.error !== null) return { status: 'fail', summary: `no swarm service ${svc}: ${v.error.slice(0, 200)}`, remedy: `deploy ${app} again, or check --name` };
  if (v.replicas === null) return { status: 'unknown', summary: 'the service is not in replicated mode: desired tasks cannot be counted' };
  const running = v.tasks.filter((t) => t.desired === 'Running' && t.current.startsWith('Running'));
  const want = release ? `${app}:${release}` : null;
  const failed = v.tasks.filter((t) => t.error !== '').slice(0, 3).map((t) => `${t.name}: ${t.error}`);
  if (want !== null && v.image !== want) {
    return { status: 'fail', summary: `the service runs ${v.image}, not ${want} (the ledger's current release)${v.update ? `; update ${v.update}` : ''}`, remedy: 'deploy again or `deckhand rollback` so the ledger and the service agree' };
  }
  const right = running.filter((t) => want === null || t.image === want);
  if (right.length < v.replicas) {
    return { status: 'fail', summary: `${right.length}/${v.replicas} tasks running${failed.length ? `; task errors: ${failed.join('; ')}` : ''}`, remedy: `read why: docker service ps ${svc} --no-trunc; docker service logs ${svc}` };
  }
  return { status: 'pass', summary: `${right.length}/${v.replicas} tasks running ${v.image} (healthy: swarm counts a task running once its healthcheck passes)${v.update ? `; last update ${v.update}` : ''}` };
}

export async function checkSwarmTasks(input: LayerInput): Promise<Finding[]> {
  const app = input.target.app ?? '';
  const cmd = swarmTasksCommand(app, input.target.base);
  const run = await runProbe(input, cmd);
  const view = run.error === null ? parseSwarmTasks(run.text) : null;
  const title = `Swarm service ${view?.service ?? app}: running tasks == desired`;
  if (!view) return [probeFailed(input, 'process', 'process.swarm', title, cmd.description ?? 'docker service ps', run, `read the swarm service ${app}`)];
  const j = judgeSwarm(app, input.target.release, view);
  return [vfinding('process.swarm', 'process', title, j.status, j.summary, { evidence: evidence(input, cmd.description ?? '', run.text.trim()), ...(j.remedy ? { remedy: j.remedy } : {}) })];
}

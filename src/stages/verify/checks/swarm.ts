// Process layer of a swarm deploy: running and healthy tasks == desired replicas (container health where readable), their image is the release's, the tasks' states and errors as evidence.
import { swarmTasksCommand } from '../../../commands/swarm.js';
import type { Finding } from '../../../report/common.js';
import type { LayerInput } from '../types.js';
import { evidence, probeFailed, runProbe, vfinding } from './on-target.js';

/** health: the container's health status (healthy, unhealthy, starting), `none` without a healthcheck, `remote` or null when not read here. */
export interface SwarmTask { id: string; name: string; image: string; desired: string; current: string; error: string; health: string | null }
export interface SwarmView { service: string | null; replicas: number | null; image: string; update: string; tasks: SwarmTask[]; error: string | null }

export function parseSwarmTasks(text: string): SwarmView | null {
  const service = /^service=(.+)$/m.exec(text)?.[1] ?? null;
  const err = /^error=(.*)$/m.exec(text);
  if (err) return { service, replicas: null, image: '', update: '', tasks: [], error: err[1] ?? '' };
  const spec = /^spec=([^|]*)\|([^|]*)\|(.*)$/m.exec(text);
  if (!spec) return null;
  const health = new Map([...text.matchAll(/^health=([^|]+)\|(.*)$/gm)].map((m) => [m[1] ?? '', m[2]?.trim() ?? '']));
  const tasks = [...text.matchAll(/^task=([^|]*)\|([^|]*)\|([^|]*)\|([^|]*)\|([^|]*)\|(.*)$/gm)]
    .map((m) => ({ id: m[1] ?? '', name: m[2] ?? '', image: m[3] ?? '', desired: m[4] ?? '', current: m[5] ?? '', error: m[6] ?? '', health: health.get(m[1] ?? '') ?? null }));
  const n = Number(spec[1]);
  return { service, replicas: Number.isInteger(n) ? n : null, image: spec[2] ?? '', update: spec[3] ?? '', tasks, error: null };
}

/**
 * A Running task is healthy when its container's healthcheck says healthy (or it has none). "starting" is not healthy yet,
 * "unhealthy" not at all. A container on another node is not read here: the engine reports a task Running only after
 * its healthcheck passed, so its state stands in (said in the summary).
 */
export function taskHealthy(t: SwarmTask): boolean {
  return t.health === null || t.health === 'remote' || t.health === 'healthy' || t.health === 'none';
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
  const healthy = right.filter(taskHealthy);
  const sick = right.filter((t) => !taskHealthy(t)).slice(0, 3).map((t) => `${t.name}: container ${t.health ?? '?'}`);
  if (healthy.length < v.replicas) {
    const why = [...(sick.length ? [`not healthy: ${sick.join('; ')}`] : []), ...(failed.length ? [`task errors: ${failed.join('; ')}`] : [])];
    return { status: 'fail', summary: `${healthy.length}/${v.replicas} tasks running and healthy${why.length ? `; ${why.join('; ')}` : ''}`, remedy: `read why: docker service ps ${svc} --no-trunc; docker service logs ${svc}` };
  }
  const unread = healthy.filter((t) => t.health === null || t.health === 'remote').length;
  const how = unread === 0 ? 'their container health read on this node' : `${unread} on other nodes judged by the engine, which reports Running only after a healthcheck passed`;
  return { status: 'pass', summary: `${healthy.length}/${v.replicas} tasks running ${v.image} and healthy (${how})${v.update ? `; last update ${v.update}` : ''}` };
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

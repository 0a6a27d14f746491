// One build for the whole fleet: the first host's build-here step runs once, and every host's upload ships its output.
import type { Plan, Step } from '../types.js';

export interface SharedBuild {
  /** The build-here step to run once on this machine (copy to the staging folder, install, build). */
  step: Step;
  /** The staging folder it fills; removed when the rollout ends. */
  stage: string;
  /** The plans with their own build-here step taken out and their upload reading the shared staging folder. */
  plans: Plan[];
}

const stageOf = (step: Step): string | null => {
  const a = step.actions.find((x) => x.type === 'local-transfer');
  return a && a.type === 'local-transfer' ? a.to : null;
};

/**
 * Null unless every plan builds here (build: local): then one build serves all hosts, so they run the same files, and
 * N hosts cost one build rather than N. Pure: the plans are copied, not changed.
 */
export function shareLocalBuild(plans: readonly Plan[]): SharedBuild | null {
  const first = plans[0]?.steps.find((s) => s.id === 'build-local');
  const stage = first ? stageOf(first) : null;
  if (!first || !stage || !plans.every((p) => p.steps.some((s) => s.id === 'build-local'))) return null;
  const rewired = plans.map((p) => {
    const own = stageOf(p.steps.find((s) => s.id === 'build-local') as Step);
    const steps = p.steps.filter((s) => s.id !== 'build-local').map((s): Step => s.id !== 'upload' ? s : {
      ...s,
      title: own ? s.title.replace(own, stage) : s.title,
      actions: s.actions.map((a) => (a.type === 'transfer' && a.from === own ? { ...a, from: stage } : a)),
    });
    return { ...p, steps };
  });
  return { step: first, stage, plans: rewired };
}

// The kustomization deckhand writes beside a copy of the repo's manifests: the same objects, the image set to the release tag.
import { writeFileCommand } from './fs.js';
import type { Command } from '../core/command.js';

export interface ImageOverride { name: string; newName: string | null; newTag: string }

/**
 * `resources` lists the copied manifests (or the copied directory when it is a kustomization itself); `images`
 * replaces the tag of every container whose image is `name`, in any workload kind. Scalars are written as JSON
 * strings (valid YAML), so no file name or image needs YAML quoting rules.
 */
export function renderKustomization(resources: readonly string[], image: ImageOverride): string {
  const q = (s: string): string => JSON.stringify(s);
  return [
    '# written by deckhand: the repository\'s manifests with the release image',
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    ...resources.map((r) => `  - ${q(r)}`),
    'images:',
    `  - name: ${q(image.name)}`,
    ...(image.newName ? [`    newName: ${q(image.newName)}`] : []),
    `    newTag: ${q(image.newTag)}`,
    '',
  ].join('\n');
}

/** Writes the kustomization into the staging directory (on this machine). */
export function writeKustomizationCommand(stageDir: string, content: string): Command {
  return { ...writeFileCommand(`${stageDir}/kustomization.yaml`, '0644'), stdin: content, description: `write ${stageDir}/kustomization.yaml` };
}

// PHP web frameworks, each with how production serves it: php-fpm behind nginx, the document root holding the front controller.
import type { Detector, Signal } from '../../types.js';
import { isPhpApp } from './common.js';
import { phpProject } from './project.js';

const NAME = 'php-framework';

export const phpFrameworkDetector: Detector = {
  name: NAME,
  async detect(ctx) {
    if (!isPhpApp(ctx)) return [];
    const p = await phpProject(ctx);
    return p.frameworks.map((f): Signal => ({
      kind: 'framework', value: f.id, detail: { server: 'php-fpm', webServer: 'nginx', documentRoot: f.documentRoot },
      evidence: f.evidence, source: 'build-file', confidence: f.confidence, detector: NAME,
    }));
  },
};

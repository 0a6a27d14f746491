// The artifacts detectors, in the order they run.
import type { Detector } from '../../types.js';
import { composeDetector } from './compose.js';
import { deployDocDetector } from './deploy-doc.js';
import { dockerfileDetector } from './dockerfile.js';
import { envFilesDetector } from './env-files.js';
import { helmDetector } from './helm.js';
import { kubernetesDetector } from './kubernetes.js';
import { makefileDetector } from './makefile.js';
import { nginxDetector } from './nginx.js';
import { platformDetector } from './platform.js';
import { pm2Detector } from './pm2.js';
import { procfileDetector } from './procfile.js';
import { staticSiteDetector } from './static-site.js';
import { prometheusDetector } from './prometheus.js';
import { supervisordDetector } from './supervisord.js';
import { systemdDetector } from './systemd.js';


export const detectors: Detector[] = [
  dockerfileDetector, composeDetector, procfileDetector, envFilesDetector, makefileDetector, systemdDetector,
  kubernetesDetector, helmDetector, platformDetector, nginxDetector, pm2Detector, supervisordDetector, prometheusDetector,
  deployDocDetector, staticSiteDetector,
];

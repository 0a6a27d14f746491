// The Go detectors, in the order they run.
import type { Detector } from '../../types.js';
import { goDatastoreDetector } from './datastores.js';
import { goEcosystemDetector } from './ecosystem.js';
import { goEnvDetector } from './env.js';
import { goFrameworkDetector } from './framework.js';
import { goHealthDetector } from './health.js';
import { goPortDetector } from './ports.js';
import { goRuntimeDetector } from './runtime.js';

export const detectors: Detector[] = [
  goEcosystemDetector, goRuntimeDetector, goFrameworkDetector, goPortDetector, goHealthDetector, goEnvDetector, goDatastoreDetector,
];

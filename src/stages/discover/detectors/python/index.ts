// The python detectors, in the order they run.
import type { Detector } from '../../types.js';
import { pythonCommandsDetector } from './commands.js';
import { pythonDatastoreDetector } from './datastores.js';
import { pythonEcosystemDetector } from './ecosystem.js';
import { pythonEnvDetector } from './env.js';
import { pythonFrameworkDetector } from './framework.js';
import { pythonHealthDetector } from './health.js';
import { pythonPortDetector } from './ports.js';
import { pythonRuntimeDetector } from './runtime.js';
import { pythonDjangoSettingsDetector } from './settings.js';

export const detectors: Detector[] = [
  pythonEcosystemDetector, pythonRuntimeDetector, pythonFrameworkDetector, pythonCommandsDetector, pythonPortDetector,
  pythonHealthDetector, pythonEnvDetector, pythonDjangoSettingsDetector, pythonDatastoreDetector,
];

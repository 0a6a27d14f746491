// The PHP detectors, in the order they run.
import type { Detector } from '../../types.js';
import { phpCommandsDetector } from './commands.js';
import { phpDatastoreDetector } from './datastores.js';
import { phpEcosystemDetector } from './ecosystem.js';
import { phpEnvDetector } from './env.js';
import { phpFrameworkDetector } from './framework.js';
import { phpHealthDetector } from './health.js';
import { phpPortDetector } from './ports.js';
import { phpRuntimeDetector } from './runtime.js';
import { phpLaravelSettingsDetector } from './settings.js';

export const detectors: Detector[] = [
  phpEcosystemDetector, phpRuntimeDetector, phpFrameworkDetector, phpCommandsDetector, phpPortDetector,
  phpHealthDetector, phpEnvDetector, phpLaravelSettingsDetector, phpDatastoreDetector,
];

// The JS detectors (Node, Bun and Deno apps), in the order they run.
import type { Detector } from '../../types.js';
import { nodeCommandsDetector } from './commands.js';
import { nodeDatastoreDetector } from './datastores.js';
import { denoCommandsDetector } from './deno-commands.js';
import { nodeEcosystemDetector } from './ecosystem.js';
import { nodeEnvDetector } from './env.js';
import { nodeFrameworkDetector } from './framework.js';
import { nodeHealthDetector } from './health.js';
import { nodePortDetector } from './ports.js';
import { nodeRuntimeDetector } from './runtime.js';

export const detectors: Detector[] = [
  nodeEcosystemDetector, nodeRuntimeDetector, nodeFrameworkDetector, nodeCommandsDetector, denoCommandsDetector,
  nodePortDetector, nodeHealthDetector, nodeEnvDetector, nodeDatastoreDetector,
];

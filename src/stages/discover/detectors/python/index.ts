// The python detectors, in the order they run.
import type { Detector } from '../../types.js';

export const detectors: Detector[] = [];

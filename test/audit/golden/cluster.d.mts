// Types of cluster.mjs, for the tests.
import type { KubeObject } from '../../../src/rules/types.js';

export function goldenCluster(): KubeObject[];

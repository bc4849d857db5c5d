import { describe, expect, it } from 'vitest';
import { LIF_MLP_DEFAULTS, LIF_MLP_SETTINGS } from './mnist-lif.js';
import { parseSettings, type SettingName } from './settings.js';

const parse = (texts: Record<string, string>, uses: readonly SettingName[] = LIF_MLP_SETTINGS) =>
  parseSettings(LIF_MLP_DEFAULTS, uses, new Map(Object.entries(texts) as [SettingName, string][]));

describe('page settings', () => {
  it('reads every field the demo uses, as numbers and names', () => {
    expect(parse({ lr: '0.002', batch: '16', hidden: '24', steps: '5', surrogate: 'sigmoid', alpha: '4.5', neuron: 'if' })).toEqual({
      lr: 0.002, batch: 16, hidden: 24, steps: 5, surrogate: 'sigmoid', alpha: 4.5, neuron: 'if',
    });
  });

  it('keeps the defaults of the fields a demo does not use, whatever the form holds', () => {
    expect(parse({ lr: '0.5', steps: 'garbage' }, ['lr'])).toEqual({ ...LIF_MLP_DEFAULTS, lr: 0.5 });
  });

  it.each([
    [{ lr: '0' }, 'learning rate: must be above 0, got 0'],
    [{ lr: 'fast' }, 'learning rate: must be a number, got "fast"'],
    [{ lr: '' }, 'learning rate: must be a number, got ""'],
    [{ batch: '2.5' }, 'batch: must be an integer, got "2.5"'],
    [{ hidden: '0' }, 'hidden width: must be at least 1, got 0'],
    [{ hidden: '100000' }, 'hidden width: must be at most 512, got 100000'],
    [{ steps: 'Infinity' }, 'T: must be an integer, got "Infinity"'],
    [{ surrogate: '__proto__' }, 'surrogate: must be one of sigmoid, atan, fastSigmoid, triangle, erf, piecewiseExp, softSign, straightThrough, got "__proto__"'],
    [{ alpha: '-1' }, 'surrogate α: must be above 0, got -1'],
    [{ neuron: 'alif' }, 'neuron: must be one of lif, if, got "alif"'],
  ])('refuses %o in one line naming the field', (texts, message) => {
    expect(() => parse(texts)).toThrow(new Error(message));
  });
});

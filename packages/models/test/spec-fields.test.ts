// Every layer spec is checked one way, by its strict schema: a misspelt or unknown field is
// rejected naming it, whether the spec comes from a builder call or from JSON.
import { SpikeflowError } from '@spikeflow/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { thrown } from './support/thrown.js';
import {
  buildSequential,
  defineNeuron,
  dropout,
  lif,
  linear,
  parseSequential,
  plasticity,
  plasticLayers,
  plasticLinear,
  recurrent,
  standardLayers,
  validateLayerSpec,
  z,
  type LayerLibrary,
} from '../src/index.js';

const library: LayerLibrary = { ...standardLayers, ...plasticLayers };

/** One valid JSON spec per layer kind of `library` (the test below checks none is missing). */
const VALID: Readonly<Record<string, Record<string, unknown>>> = {
  linear: { kind: 'linear', in: 4, out: 3 },
  faLinear: { kind: 'faLinear', in: 4, out: 3, feedbackSeed: 2 },
  conv1d: { kind: 'conv1d', in: 2, out: 4, kernel: 3 },
  conv2d: { kind: 'conv2d', in: 2, out: 4, kernel: [3, 3] },
  maxPool2d: { kind: 'maxPool2d', kernel: 2 },
  avgPool2d: { kind: 'avgPool2d', kernel: [3, 3], stride: 2, padding: 1 },
  sumPool2d: { kind: 'sumPool2d', kernel: 2 },
  flatten: { kind: 'flatten' },
  tdBN: { kind: 'tdBN', channels: 4 },
  bntt: { kind: 'bntt', channels: 4, steps: 3 },
  dropout: { kind: 'dropout', p: 0.2 },
  lif: { kind: 'lif', tau: 3 },
  if: { kind: 'if' },
  plif: { kind: 'plif' },
  alif: { kind: 'alif' },
  li: { kind: 'li' },
  psn: { kind: 'psn', T: 4 },
  maskedPsn: { kind: 'maskedPsn', T: 4, k: 2 },
  slidingPsn: { kind: 'slidingPsn', k: 2 },
  recurrent: { kind: 'recurrent', in: 3, out: 4, neuron: { kind: 'lif' } },
  plasticLinear: { kind: 'plasticLinear', in: 3, out: 2 },
  plasticRecurrent: { kind: 'plasticRecurrent', in: 3, hidden: 2 },
};


const parseLayers = (layers: unknown[]) => () => parseSequential(JSON.stringify({ kind: 'sequential', layers }), library);

describe('misspelt layer fields', () => {
  it('a builder call rejects the field by name instead of using the default', () => {
    // Before: `tua` was dropped and tau silently became its default, 2.
    const error = thrown(() => lif({ tua: 3 } as never));
    expect(error.code).toBe('spec');
    expect(error.where).toBe('lif.tua');
    expect(error.message).toMatch(/unknown field 'tua'.*found 3/);
    expect(thrown(() => linear(4, 3, { biass: true } as never)).where).toBe('linear.biass');
    expect(thrown(() => dropout(0.1, { sed: 3 } as never)).where).toBe('dropout.sed');
    expect(thrown(() => plasticLinear(3, 2, { plasticity: { rle: 'oja' } as never })).where).toBe('plasticLinear.plasticity.rle');
    expect(thrown(() => plasticity({ clp: 2 } as never)).where).toBe('plasticity.clp');
    // The spelling the docs give is accepted.
    expect(lif({ tau: 3 }).tau).toBe(3);
  });

  it('a JSON spec rejects the field by name, at its position in the layers', () => {
    // Before: `"biass": true` was dropped and the layer had no bias.
    const error = thrown(parseLayers([{ kind: 'linear', in: 4, out: 3, biass: true }]));
    expect(error.where).toBe('layers[0].biass');
    expect(error.message).toContain("unknown field 'biass'");
    expect(thrown(parseLayers([{ kind: 'linear', in: 4, out: 3 }, { kind: 'lif', tua: 3 }])).where).toBe('layers[1].tua');
    // Inside a nested spec: the recurrent layer's neuron, a plastic layer's rule.
    expect(thrown(parseLayers([{ kind: 'recurrent', in: 3, out: 4, neuron: { kind: 'alif', tauM: 20, betaa: 1 } }])).where).toBe('layers[0].neuron.betaa');
    expect(thrown(parseLayers([{ kind: 'plasticLinear', in: 3, out: 2, plasticity: { etaa: 0.1 } }])).where).toBe('layers[0].plasticity.etaa');
    // And in the envelope itself.
    expect(thrown(() => parseSequential({ kind: 'sequential', layers: [VALID.lif], layer: [] }, library)).where).toBe('layer');
    // The builders and the JSON form still describe the same graph.
    const input = { name: 'x', shape: [2, 1, 4] };
    expect(buildSequential(JSON.stringify({ kind: 'sequential', layers: [VALID.linear, { kind: 'lif', tau: 3 }] }), { input, library })).toEqual(
      buildSequential({ kind: 'sequential', layers: [linear(4, 3), lif({ tau: 3 })] }, { input, library }),
    );
  });

  it('a recurrent layer built in code rejects a misspelt neuron field by name', () => {
    expect(thrown(() => recurrent(3, 4, { kind: 'lif', tua: 3 })).where).toBe('recurrent.neuron.tua');
  });

  it('a neuron written with the re-exported zod rejects fields its attrs do not declare', () => {
    const gain = defineNeuron({
      kind: 'gain',
      attrs: { k: z.number().positive().default(2) },
      state: { v: { init: 0 } },
      step: ({ state, input, attrs }) => ({ state, output: input.mul(attrs.k) }),
    });
    expect(gain.layer({ k: 3 })).toEqual({ kind: 'gain', k: 3 });
    expect(thrown(() => gain.layer({ kk: 3 } as never)).where).toBe('gain.kk');
    expect(thrown(() => gain.layer({ k: -1 })).where).toBe('gain.k');
  });

  it('property: for every layer kind, a random unknown field added to a valid spec is rejected, named', () => {
    expect(Object.keys(VALID).sort()).toEqual(Object.keys(library).sort());
    for (const [kind, spec] of Object.entries(VALID)) expect(() => parseLayers([spec])(), kind).not.toThrow();
    const kinds = fc.constantFrom(...Object.keys(VALID));
    // Any string, including the names of Object.prototype members, except the kind's own fields.
    const names = fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'Tau', 'bias_'));
    fc.assert(
      fc.property(kinds, names, fc.jsonValue(), (kind, key, value) => {
        const schema = library[kind]!.schema;
        expect(schema).toBeInstanceOf(z.ZodObject);
        fc.pre(!Object.hasOwn((schema as unknown as z.ZodObject).shape, key));
        const spec = { ...VALID[kind]!, [key]: value };
        const fromJson = thrown(parseLayers([VALID.linear, spec]));
        expect(fromJson.where).toBe(`layers[1].${key}`);
        expect(fromJson.message).toContain(`unknown field '${key}'`);
        const fromCode = thrown(() => validateLayerSpec(schema, spec as { kind: string }));
        expect(fromCode.where).toBe(`${kind}.${key}`);
      }),
      { numRuns: 300 },
    );
  });
});

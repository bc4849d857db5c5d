import { grad } from '@spikeflow/autodiff';
import { evaluate, initParams, leafName, tensor, toArray, trace, type Feeds, type Graph, type GraphBuilder, type Tensor } from '@spikeflow/core';
import { describe, expect, it } from 'vitest';
import {
  buildFaLinear,
  buildLif,
  buildLinear,
  DirectFeedback,
  faLinear,
  feedbackAlignmentMatmul,
  lif,
  linear,
  softmaxCrossEntropy,
  timeReadout,
  type Projection,
} from '../src/index.js';
import { testData } from '../../../test/support/test-data.js';
import { thrown } from './support/thrown.js';

/** Feedback alignment and direct feedback alignment: forward unchanged, backward as the papers define it. */

const paramNames = (g: Graph) => g.params.map((id) => leafName(g.nodes[id]!));
const gradients = (g: Graph, wrt: readonly string[], feeds: Feeds) => {
  const out = evaluate(grad(g, { of: 'loss', wrt }), feeds, { precision: 'f64' }).outputs;
  return Object.fromEntries(wrt.map((w) => [w, toArray(out[`grad/${w}`]!)]));
};

// --- host loops: the independent truth ------------------------------------------------------------

/** [n, k] · [k, m], row-major. */
function mm(a: readonly number[], b: readonly number[], n: number, k: number, m: number): number[] {
  const c = new Array<number>(n * m).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) for (let p = 0; p < k; p++) c[i * m + j]! += a[i * k + p]! * b[p * m + j]!;
  return c;
}
/** The transpose of a row-major [n, m]. */
function tr(a: readonly number[], n: number, m: number): number[] {
  return Array.from({ length: n * m }, (_, q) => a[(q % n) * m + Math.floor(q / n)]!);
}
/** Test values as f32, as the graph holds them, so host loops in f64 see the same numbers. */
const f32Data = (seed: number, n: number) => testData(seed, n, -1, 1).map(Math.fround);
const expectClose = (got: readonly number[], want: readonly number[], digits = 10) => {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(g).toBeCloseTo(want[i]!, digits));
};

// --- a spiking network with a choice of projection --------------------------------------------------

const [T, B, I, H, O] = [6, 3, 5, 7, 4];
const snnFeeds = (g: Graph): Feeds => ({
  inputs: { x: tensor([T, B, I], testData(1, T * B * I).map((u) => Number(u < 0.7))), labels: tensor([B], [0, 3, 1], 'i32') },
  params: initParams(g, { seed: 4 }),
});

/** x -> linear -> LIF -> linear -> LIF -> linear, class scores the mean over time; `project` does every matmul. */
function spikingMlp(project: Projection): Graph {
  return trace((b) => {
    const x = b.input('x', [T, B, I]);
    const s1 = b.scope('lif1', () => buildLif(b, b.scope('l1', () => buildLinear(b, x, linear(I, H, { initScale: 5 }), project)), lif()));
    const s2 = b.scope('lif2', () => buildLif(b, b.scope('l2', () => buildLinear(b, s1, linear(H, H, { initScale: 5 }), project)), lif()));
    const y = b.scope('l3', () => buildLinear(b, s2, linear(H, O, { bias: true }), project));
    return { loss: softmaxCrossEntropy(timeReadout(y, 'mean'), b.input('labels', [B], 'i32')), y };
  });
}

describe('feedback alignment', () => {
  it('with B = W the gradient of a spiking MLP (BPTT through the LIF scans) is backprop\'s, exactly', () => {
    const plain = spikingMlp((x, w) => x.matmul(w));
    const fa = spikingMlp((x, w) => feedbackAlignmentMatmul(x, w, w));
    const wrt = paramNames(plain);
    expect(paramNames(fa)).toEqual(wrt);
    const [want, got] = [gradients(plain, wrt, snnFeeds(plain)), gradients(fa, wrt, snnFeeds(fa))];
    for (const w of wrt) {
      expect(want[w]!.some((v) => v !== 0), `${w} has a gradient`).toBe(true);
      expect(got[w], w).toEqual(want[w]);
    }
  });

  it('with B = W inside a scan body (a recurrent weight) the BPTT gradient is unchanged', () => {
    const rnn = (fa: boolean) =>
      trace((b) => {
        const x = b.input('x', [T, B, I]);
        const win = b.param('win', [I, H], { kind: 'uniform', low: -0.5, high: 0.5 });
        const wrec = b.param('wrec', [H, H], { kind: 'uniform', low: -0.5, high: 0.5 });
        const { outputs } = b.scan({
          carries: [b.constant(0, [B, H])],
          sequences: [x],
          body: (_, [h], [xt]) => {
            const rec = fa ? feedbackAlignmentMatmul(h!, wrec, wrec) : h!.matmul(wrec);
            const next = xt!.matmul(win).add(rec).tanh();
            return { carries: [next], outputs: [next] };
          },
        });
        return { loss: outputs[0]!.mul(b.constant(testData(7, T * B * H, -1, 1), [T, B, H])).sum() };
      });
    const feeds = (g: Graph): Feeds => ({ inputs: { x: tensor([T, B, I], testData(8, T * B * I, -1, 1)) }, params: initParams(g, { seed: 2 }) });
    const [want, got] = [gradients(rnn(false), ['win', 'wrec', 'x'], feeds(rnn(false))), gradients(rnn(true), ['win', 'wrec', 'x'], feeds(rnn(true)))];
    for (const w of ['win', 'wrec', 'x']) expect(got[w], w).toEqual(want[w]);
  });

  it('with a random B, a tanh network\'s gradients equal the hand-computed FA update', () => {
    // x [2, 3] -> h = tanh(x W1) -> y = h W2 -> loss = ½ Σ (y - t)²; both matmuls FA with B1, B2.
    const [n, i, h, o] = [2, 3, 4, 2];
    const x = f32Data(11, n * i);
    const [w1, w2] = [f32Data(12, i * h), f32Data(13, h * o)];
    const [b1, b2] = [f32Data(14, i * h), f32Data(15, h * o)];
    const t = f32Data(16, n * o);
    const graph = trace((b) => {
      const hidden = feedbackAlignmentMatmul(b.input('x', [n, i]), b.param('w1', [i, h], { kind: 'zeros' }), b.constant(b1, [i, h])).tanh();
      const y = feedbackAlignmentMatmul(hidden, b.param('w2', [h, o], { kind: 'zeros' }), b.constant(b2, [h, o]));
      const r = y.sub(b.constant(t, [n, o]));
      return { loss: r.mul(r).sum().mul(0.5), y };
    });
    const got = gradients(graph, ['w1', 'w2', 'x'], { inputs: { x: tensor([n, i], x) }, params: { w1: tensor([i, h], w1), w2: tensor([h, o], w2) } });

    const hv = mm(x, w1, n, i, h).map(Math.tanh);
    const dy = mm(hv, w2, n, h, o).map((v, q) => v - t[q]!);
    const dh = mm(dy, tr(b2, h, o), n, o, h); // FA: B2ᵀ where backprop has W2ᵀ
    const da = dh.map((v, q) => v * (1 - hv[q]! ** 2));
    expectClose(got.w2!, mm(tr(hv, n, h), dy, h, n, o));
    expectClose(got.w1!, mm(tr(x, n, i), da, i, n, h));
    expectClose(got.x!, mm(da, tr(b1, i, h), n, h, i));
    // ... and it is not backprop's gradient.
    const bpDa = mm(dy, tr(w2, h, o), n, o, h).map((v, q) => v * (1 - hv[q]! ** 2));
    expect(Math.max(...mm(tr(x, n, i), bpDa, i, n, h).map((v, q) => Math.abs(v - got.w1![q]!)))).toBeGreaterThan(0.01);
  });

  it('the faLinear layer has linear\'s params and forward values; its B is fixed, per layer and in w\'s init range', () => {
    const net = (fa: boolean) =>
      trace((b) => {
        const x = b.input('x', [T, B, I]);
        const y = b.scope('l', () => (fa ? buildFaLinear(b, x, faLinear(I, H, { bias: true, initScale: 2 })) : buildLinear(b, x, linear(I, H, { bias: true, initScale: 2 }))));
        return { y, loss: y.sum() };
      });
    const [plain, fa] = [net(false), net(true)];
    expect(paramNames(fa)).toEqual(['l/w', 'l/b']);
    const feeds = { inputs: { x: tensor([T, B, I], testData(3, T * B * I)) }, params: initParams(plain, { seed: 5 }) };
    expect(toArray(evaluate(fa, feeds).outputs.y!)).toEqual(toArray(evaluate(plain, feeds).outputs.y!));
    // d(Σy)/dx = 1 · Bᵀ: each row of grad/x is B's row sums, so B is readable through the gradient.
    const dx = toArray(evaluate(grad(fa, { of: 'loss', wrt: ['x'] }), feeds).outputs['grad/x']!);
    const rowSums = dx.slice(0, I);
    const bound = (2 / Math.sqrt(I)) * H;
    rowSums.forEach((s) => expect(Math.abs(s)).toBeLessThan(bound));
    expect(new Set(rowSums).size).toBe(I);
    const wRowSums = Array.from({ length: I }, (_, r) => toArray(feeds.params['l/w']!).slice(r * H, (r + 1) * H).reduce((a, v) => a + v, 0));
    rowSums.forEach((s, r) => expect(Math.abs(s - wRowSums[r]!)).toBeGreaterThan(1e-6));
    // Two layers of one network draw different matrices; the same layer rebuilt draws the same.
    const twoLayers = trace((b) => {
      const x = b.input('x', [2, I]);
      const h = b.scope('a', () => buildFaLinear(b, x, faLinear(I, I)));
      const y = b.scope('b', () => buildFaLinear(b, h, faLinear(I, I)));
      return { loss: y.sum() };
    });
    expect(JSON.stringify(net(true))).toBe(JSON.stringify(fa));
    const seeds = Object.values(twoLayers.nodes).flatMap((node) => (node.op === 'uniform' ? [node.attrs.seed] : []));
    expect(seeds.length).toBe(2);
    expect(seeds[0]).not.toBe(seeds[1]);
  });

  it('rejects a feedback matrix of the wrong shape and a bad spec field by name', () => {
    const e = thrown(() => trace((b) => ({ y: feedbackAlignmentMatmul(b.input('x', [2, 3]), b.input('w', [3, 4]), b.input('B', [4, 3])) })));
    expect(e.message).toMatch(/feedback matrix.*expected \[3, 4\]; found \[4, 3\]/);
    expect(thrown(() => faLinear(3, 4, { feedbackScale: -1 })).where).toBe('faLinear.feedbackScale');
  });
});

// --- direct feedback alignment ----------------------------------------------------------------------

describe('direct feedback alignment', () => {
  it('a tanh MLP\'s gradients equal the hand-computed DFA update; the output layer gets the true gradient', () => {
    // x [2, 3] -> h1 = tanh(x W1) -> h2 = tanh(h1 W2) -> y = h2 W3; loss ½ Σ (y - t)², e = y - t.
    const [n, i, h, o] = [2, 3, 4, 2];
    const x = f32Data(21, n * i);
    const [w1, w2, w3] = [f32Data(22, i * h), f32Data(23, h * h), f32Data(24, h * o)];
    const [b1, b2] = [f32Data(25, o * h), f32Data(26, o * h)];
    const t = f32Data(27, n * o);
    const graph = trace((b) => {
      const dfa = new DirectFeedback(b, [n, o]);
      const h1 = dfa.tap(b.input('x', [n, i]).matmul(b.param('w1', [i, h], { kind: 'zeros' })).tanh(), { feedback: b.constant(b1, [o, h]) });
      const h2 = dfa.tap(h1.matmul(b.param('w2', [h, h], { kind: 'zeros' })).tanh(), { feedback: b.constant(b2, [o, h]) });
      const y = dfa.output(h2.matmul(b.param('w3', [h, o], { kind: 'zeros' })));
      const r = y.sub(b.constant(t, [n, o]));
      return { loss: r.mul(r).sum().mul(0.5), y };
    });
    const feeds = { inputs: { x: tensor([n, i], x) }, params: { w1: tensor([i, h], w1), w2: tensor([h, h], w2), w3: tensor([h, o], w3) } };
    const got = gradients(graph, ['w1', 'w2', 'w3'], feeds);

    const h1v = mm(x, w1, n, i, h).map(Math.tanh);
    const h2v = mm(h1v, w2, n, h, h).map(Math.tanh);
    const y = mm(h2v, w3, n, h, o);
    expectClose(toArray(evaluate(graph, feeds, { precision: 'f64' }).outputs.y!), y); // forward unchanged
    const e = y.map((v, q) => v - t[q]!);
    const delta = (bl: number[], hv: number[]) => mm(e, bl, n, o, h).map((v, q) => v * (1 - hv[q]! ** 2)); // (e B_l) ⊙ f'(a_l)
    expectClose(got.w3!, mm(tr(h2v, n, h), e, h, n, o));
    expectClose(got.w2!, mm(tr(h1v, n, h), delta(b2, h2v), h, n, h));
    expectClose(got.w1!, mm(tr(x, n, i), delta(b1, h1v), i, n, h));
  });

  it('through a spiking MLP over T: each tapped layer\'s gradient is BPTT of ⟨h_l, e·B_l⟩ within the layer', () => {
    const [b1, b2] = [f32Data(31, O * H), f32Data(32, O * H)];
    // mode 'dfa': the taps. 'check': the plain network with y' = y + z (z fed zeros, so grad/z = e),
    // the layers cut apart by stopGradient, and the extra loss Σ h1·G1 + Σ h2·G2 with fed G_l.
    const net = (mode: 'dfa' | 'check') =>
      trace((b): Record<string, Tensor> => {
        const x = b.input('x', [T, B, I]);
        const dfa = new DirectFeedback(b, [T, B, O]);
        const hiddenLayer = (name: string, input: Tensor, inF: number, feedback: number[]) => {
          const drive = b.scope(`l${name}`, () => buildLinear(b, input, linear(inF, H, { initScale: 5 })));
          const s = b.scope(`lif${name}`, () => buildLif(b, drive, lif()));
          return mode === 'dfa' ? { s, out: dfa.tap(s, { feedback: b.constant(feedback, [O, H]) }) } : { s, out: s.stopGradient() };
        };
        const l1 = hiddenLayer('1', x, I, b1);
        const l2 = hiddenLayer('2', l1.out, H, b2);
        const y = b.scope('l3', () => buildLinear(b, l2.out, linear(H, O, { bias: true })));
        const scored = mode === 'dfa' ? dfa.output(y) : y.add(b.input('z', [T, B, O]));
        const loss = softmaxCrossEntropy(timeReadout(scored, 'mean'), b.input('labels', [B], 'i32'));
        if (mode === 'dfa') return { loss };
        const local = l1.s.mul(b.input('g1', [T, B, H])).sum().add(l2.s.mul(b.input('g2', [T, B, H])).sum());
        return { loss, local };
      });
    const [dfaNet, check] = [net('dfa'), net('check')];
    const wrt = paramNames(dfaNet);
    const feeds = snnFeeds(dfaNet);
    const got = gradients(dfaNet, wrt, feeds);

    const zero = tensor([T, B, O], new Array(T * B * O).fill(0));
    const checkGrad = grad(check, { of: 'loss', wrt: ['z', 'l3/w', 'l3/b'] });
    const unused = tensor([T, B, H], new Array(T * B * H).fill(0));
    const truth = evaluate(checkGrad, { ...feeds, inputs: { ...feeds.inputs, z: zero, g1: unused, g2: unused } }, { precision: 'f64' }).outputs;
    const e = toArray(truth['grad/z']!);
    expect(e.some((v) => v !== 0)).toBe(true);
    expectClose(got['l3/w']!, toArray(truth['grad/l3/w']!), 12);
    expectClose(got['l3/b']!, toArray(truth['grad/l3/b']!), 12);
    // G_l = e·B_l at every (t, b), by loops; then the true gradient of Σ h_l·G_l.
    const g1 = mm(e, b1, T * B, O, H);
    const g2 = mm(e, b2, T * B, O, H);
    const local = grad(check, { of: 'local', wrt: ['l1/w', 'l2/w'] });
    const want = evaluate(local, { ...feeds, inputs: { ...feeds.inputs, z: zero, g1: tensor([T, B, H], g1), g2: tensor([T, B, H], g2) } }, { precision: 'f64' }).outputs;
    for (const w of ['l1/w', 'l2/w']) {
      const truthW = toArray(want[`grad/${w}`]!);
      expect(truthW.some((v) => v !== 0), `${w} has a gradient`).toBe(true);
      expectClose(got[w]!, truthW, 8); // G_l is fed as f32: ~1e-10 here
    }
  });

  it('rejects a tap whose leading axes differ from the output\'s, a tap after the output, and an output of the wrong shape', () => {
    const withDfa = (body: (b: GraphBuilder, dfa: DirectFeedback) => Tensor) =>
      () => trace((b) => ({ y: body(b, new DirectFeedback(b, [4, 2, 3])) }));
    expect(thrown(withDfa((b, dfa) => dfa.tap(b.input('h', [4, 5, 6])))).message).toMatch(/leading axes.*expected \[4, 2, 6\]; found \[4, 5, 6\]/);
    expect(
      thrown(
        withDfa((b, dfa) => {
          dfa.output(b.input('y', [4, 2, 3]));
          return dfa.tap(b.input('h', [4, 2, 6]));
        }),
      ).message,
    ).toMatch(/after the output/);
    expect(thrown(withDfa((b, dfa) => dfa.output(b.input('y', [4, 2, 5])))).message).toMatch(/expected \[4, 2, 3\]; found \[4, 2, 5\]/);
  });
});

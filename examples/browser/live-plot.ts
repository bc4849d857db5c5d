// A plot on the page that follows live data: the same Vega-Lite specs and the same Vega renderer
// (@spikeflow/plot's plotSvg) as the CLI's plot files, drawn into the page as SVG.
import { plotSvg, type PlotSpec } from '@spikeflow/plot';

/** A plot is redrawn at most this often while data streams in; the last spec shown is always drawn. */
export const REDRAW_MS = 500;

/**
 * Shows a spec in an element, throttled: `show` during training only remembers how to build the
 * newest spec, and a timer draws it once REDRAW_MS have passed since the last draw, so a plot of a
 * few hundred points costs the training loop nothing per step. `flush` draws at once (end of a run).
 */
export class LivePlot {
  private pending: (() => PlotSpec) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastDrawn = -Infinity;
  /** Draws run one after another, so an older spec never lands over a newer one. */
  private drawing: Promise<void> = Promise.resolve();

  constructor(private readonly element: HTMLElement) {}

  show(build: () => PlotSpec): void {
    this.pending = build;
    if (this.timer !== undefined) return;
    const wait = Math.max(0, this.lastDrawn + REDRAW_MS - performance.now());
    this.timer = setTimeout(() => void this.draw(), wait);
  }

  /** Draws the newest spec now, if one waits; resolves once the plot on the page is the newest. */
  flush(): Promise<void> {
    return this.draw();
  }

  private draw(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const build = this.pending;
    this.pending = undefined;
    if (build === undefined) return this.drawing;
    this.lastDrawn = performance.now();
    this.drawing = this.drawing.then(async () => {
      try {
        this.element.innerHTML = await plotSvg(build());
      } catch (error) {
        console.error(error);
        this.element.textContent = `plot error: ${error instanceof Error ? error.message : String(error)}`;
      }
    });
    return this.drawing;
  }
}

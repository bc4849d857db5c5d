import { CART_POLE } from '@spikeflow/models';

/** Pixels per metre: the track (±xLimit) spans the canvas with a margin. */
const trackScale = (width: number): number => (width - 40) / (2 * CART_POLE.xLimit);

/**
 * The cart-pole at observation (x, ẋ, θ, θ̇): the track with its failure bounds, the cart at x and
 * the pole at angle θ from upright (its full length, twice CART_POLE.length, to scale).
 */
export function drawCartPole(canvas: HTMLCanvasElement, observation: readonly number[], caption: string): void {
  const g = canvas.getContext('2d')!;
  const [x, , theta] = observation as [number, number, number, number];
  const scale = trackScale(canvas.width);
  const ground = canvas.height - 30;
  const cx = canvas.width / 2 + x * scale;
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.fillStyle = '#888888';
  g.fillRect(10, ground, canvas.width - 20, 2);
  for (const bound of [-CART_POLE.xLimit, CART_POLE.xLimit]) g.fillRect(canvas.width / 2 + bound * scale - 1, ground - 12, 2, 14);
  const [w, h] = [40, 20];
  g.fillStyle = '#1f77b4';
  g.fillRect(cx - w / 2, ground - h, w, h);
  const pole = 2 * CART_POLE.length * scale;
  g.strokeStyle = '#d62728';
  g.lineWidth = 5;
  g.beginPath();
  g.moveTo(cx, ground - h);
  g.lineTo(cx + pole * Math.sin(theta), ground - h - pole * Math.cos(theta));
  g.stroke();
  g.fillStyle = '#444444';
  g.font = '11px system-ui, sans-serif';
  g.textAlign = 'left';
  g.textBaseline = 'top';
  g.fillText(caption, 8, 6);
}
